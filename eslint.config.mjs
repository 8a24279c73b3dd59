// ESLint (flat config): rules that catch bugs, not style — Prettier owns the layout, and tsc
// (tsconfig.json: strict, noUnusedLocals) already checks types. Type-aware rules (floating
// promises, exhaustive switches) read the tsconfig.json project; the .mjs scripts outside it get
// the rest. See CONTRIBUTING.md ("Lint and format").
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      '.e2e/**',
      '.cache/**',
      '.nixboot-cache/**',
      'test/.tmp/**',
      'test/e2e/out/**',
      'bench/.data/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // `a && f()` and `c ? f() : g()` as statements are this codebase's idiom; a bare `x.y;` or
      // `a === b;` is still an error.
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // node:test's test()/describe() return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      // The escaping and lexing code matches control characters on purpose (printable(), HTML
      // and terminal output, the Nix lexer); a control character in a regex is never a typo here.
      'no-control-regex': 'off',
      // protocol.ts keeps one documented namespace per LSP message (docs/architecture.md).
      '@typescript-eslint/no-namespace': 'off',
    },
  },
  {
    // The engine never imports vscode and spawns only through server/src/system (also checked
    // by test/architecture.test.ts, which knows the import directions between areas).
    files: ['server/src/**/*.ts'],
    ignores: ['server/src/system/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'Engine code in server/ never imports vscode.' },
            { name: 'node:child_process', message: 'Spawn processes through server/src/system/exec.ts.' },
            { name: 'child_process', message: 'Spawn processes through server/src/system/exec.ts.' },
            { name: 'execa', message: 'Spawn processes through server/src/system/exec.ts.' },
          ],
        },
      ],
    },
  },
  {
    files: ['server/src/system/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'Engine code in server/ never imports vscode.' }] },
      ],
    },
  },
  {
    // The launcher exists only as the CommonJS bundle dist/cli.js: require() loads one of the
    // other bundles beside it synchronously, at start-up, and esbuild leaves those paths alone.
    files: ['server/src/cli/launcher.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Plain JavaScript (build, test and e2e scripts) is outside tsconfig.json: no type-aware rules.
  {
    files: ['**/*.mjs', '**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  // The e2e journeys run Node, but the functions they hand to page.evaluate() run in the page.
  { files: ['test/e2e/journeys.mjs'], languageOptions: { globals: globals.browser } },
);
