// Shared helpers for tests that need real outside programs. Such tests say so in their name
// ("(real nix)", "(real cpio)") and, when CI=true, fail loudly if the program is missing.
import { spawnSync } from 'node:child_process';

/**
 * NIX_CONFIG for tests, benchmarks and the demo: no sandbox (we are root in a container), no
 * network substituters, and builds as the calling user (`build-users-group =`), so Nix works the
 * same whether or not the machine has a `nixbld` group (Debian's nix-bin creates none).
 */
const NIX_CONFIG = [
  'sandbox = false',
  'substituters =',
  'build-users-group =',
  'experimental-features = nix-command flakes',
].join('\n');

export function nixEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, NIX_CONFIG, ...extra };
}

export function hasProgram(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v "$1"`, 'sh', name], { stdio: 'ignore' }).status === 0;
}

/**
 * For `test(name, { skip: skipUnless('nix') }, …)`: skips with a reason when a program is absent,
 * but under CI=true a missing program is a failure, never a skip.
 */
export function skipUnless(...programs: string[]): string | false {
  const missing = programs.filter((p) => !hasProgram(p));
  if (missing.length === 0) return false;
  if (process.env.CI === 'true') throw new Error(`required program(s) missing in CI: ${missing.join(', ')}`);
  return `needs ${missing.join(', ')}`;
}
