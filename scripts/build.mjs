// Bundles the three entry points with esbuild: the VS Code client, the LSP server and the CLI.
import { mkdirSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

await Promise.all([
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  build({ ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js' }),
  build({
    ...common,
    entryPoints: ['server/src/cli/bin.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  }),
]);

// The sources are ES modules; the bundles are CommonJS (VS Code loads extensions with require).
mkdirSync('dist', { recursive: true });
writeFileSync('dist/package.json', '{"type": "commonjs"}\n');
