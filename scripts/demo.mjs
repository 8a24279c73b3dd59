// `npm run demo`: the extension in a real VS Code (code-server) on the demo workspace.
// Builds the .vsix, installs it into a local code-server with its own user-data and extensions
// folders, builds the demo workspace (real initrd, real Nix generations when Nix is installed),
// starts code-server on 127.0.0.1 and prints the URL to open. Ctrl+C stops it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  demoSettings,
  freePort,
  installExtension,
  prepareProfile,
  REPO,
  setupCodeServer,
  startCodeServer,
  stopCodeServer,
} from '../test/e2e/codeServer.mjs';

const t0 = Date.now();
const step = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
};
const tools = setupCodeServer();
step('npm', ['run', '--silent', 'package']);
const workspace = join(REPO, '.e2e', 'demo');
step(process.execPath, ['--import', 'tsx', join(REPO, 'scripts/demo-workspace.ts'), workspace]);
const dirs = prepareProfile(join(REPO, '.e2e', 'demo-profile'), demoSettings(workspace));
installExtension(tools, dirs, join(REPO, 'nixboot.vsix'));
const port = Number(process.env.PORT ?? 0) || (await freePort());
const cs = await startCodeServer(tools, dirs, { port });
console.log(`\nSet-up took ${((Date.now() - t0) / 1000).toFixed(0)} s.`);
console.log(`Open ${cs.url}?workspace=${encodeURIComponent(`${workspace}.code-workspace`)}`);
console.log(
  '(code-server listens on 127.0.0.1 only; forward the port to use it from another machine.) Ctrl+C stops it.',
);
const stop = async () => {
  await stopCodeServer(cs);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
await new Promise(() => undefined);
