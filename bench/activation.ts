// Activation time of the extension in a real VS Code (code-server 4.139.1 = VS Code 1.139.1),
// measured by the extension itself (performance.now() around `activate`, exported as
// `activationMs`) while the extension-host suite runs. Goals: ≤ 50 ms without a Nix workspace,
// ≤ 150 ms with one. The language server starts in the background and is not part of it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const REPO = new URL('..', import.meta.url).pathname;

export async function run(): Promise<string> {
  const r = spawnSync(process.execPath, [join(REPO, 'test/e2e/run.mjs'), 'suite'], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`the extension-host suite failed:\n${r.stdout.slice(-3000)}`);
  const m = JSON.parse(readFileSync(join(REPO, '.e2e/suite-metrics.json'), 'utf8')) as Record<string, number>;
  const nix = m.activationMsNixWorkspace!;
  const none = m.activationMsNoNixWorkspace!;
  return [
    '## Extension activation',
    '',
    'Command: `npm run bench -- activation` (bench/activation.ts, which runs `node test/e2e/run.mjs suite`): the extension in',
    'code-server 4.139.1 (VS Code 1.139.1), timing `activate` itself; the language server starts in the background.',
    '',
    '| workspace | activate | goal |',
    '|---|---:|---|',
    `| demo workspace (Nix files; activated by workspaceContains) | ${nix.toFixed(1)} ms | ≤ 150 ms: ${nix <= 150 ? 'met' : 'NOT met'} |`,
    `| no Nix files (activated by opening a Nix document) | ${none.toFixed(1)} ms | ≤ 50 ms: ${none <= 50 ? 'met' : 'NOT met'} |`,
  ].join('\n');
}
