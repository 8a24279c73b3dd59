// The same extension-host suite in desktop VS Code, for machines with internet:
// @vscode/test-electron downloads VS Code, then runs test/e2e/out/index.js against the demo
// workspace. (Here there is no internet: CI runs the suite through code-server, test/e2e/run.mjs.)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';

const REPO = new URL('../..', import.meta.url).pathname;
const workspace = join(REPO, '.e2e', 'demo-electron');
for (const [cmd, args] of [
  ['npm', ['run', '--silent', 'build']],
  [process.execPath, ['--import', 'tsx', join(REPO, 'scripts/demo-workspace.ts'), workspace]],
]) {
  const r = spawnSync(cmd, args, { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const { build } = await import('esbuild');
const { writeFileSync } = await import('node:fs');
const out = join(REPO, 'test/e2e/out');
await build({
  entryPoints: [join(REPO, 'test/e2e/suite/index.ts'), join(REPO, 'test/e2e/suite/extension.test.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outdir: out,
  external: ['vscode', 'mocha'],
  logLevel: 'error',
});
writeFileSync(join(out, 'package.json'), '{"type": "commonjs"}\n');
try {
  await runTests({
    extensionDevelopmentPath: REPO,
    extensionTestsPath: join(out, 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (e) {
  console.error(`extension-host tests failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
