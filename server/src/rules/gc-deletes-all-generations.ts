// Rule gc-deletes-all-generations: garbage collection or scripts that delete every old generation.
import { analyzeShell, type ShellCommand } from '../shell/analyze';
import { scriptFromString } from '../shell/source';
import type { SyntaxNode } from '../syntax/tree';
import type { Rule, RuleContext } from './types';
import { literalString } from './util';

const ONE_DAY_S = 24 * 3600;

/** Seconds of a `--delete-older-than` / `--older-than` period like `30d`, `12h`, `2w`; undefined if unparsable. */
function periodSeconds(s: string): number | undefined {
  const m = /^(\d+)\s*([smhdw]?)$/.exec(s.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] || 'd';
  return n * { s: 1, m: 60, h: 3600, d: ONE_DAY_S, w: 7 * ONE_DAY_S }[unit as 's' | 'm' | 'h' | 'd' | 'w'];
}

/** What in a `nix-collect-garbage` argument list deletes every old generation, if anything. */
function gcDeletesAll(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-d' || a === '--delete-old') return a;
    if (/^-[a-zA-Z]*d[a-zA-Z]*$/.test(a) && !a.startsWith('--')) return a;
    if (a === '--delete-older-than' || a.startsWith('--delete-older-than=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[i + 1];
      const s = v === undefined ? undefined : periodSeconds(v);
      if (s !== undefined && s < ONE_DAY_S) return `${a.includes('=') ? a : `${a} ${v}`}`;
    }
  }
  return undefined;
}

function words(c: ShellCommand): string[] | undefined {
  const out: string[] = [];
  for (const w of c.args) {
    if (w.value === undefined) return undefined;
    out.push(w.value);
  }
  return out;
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Why a shell command deletes every old generation, or undefined. */
function commandDeletesAll(argv: readonly string[]): string | undefined {
  let [cmd, ...rest] = argv;
  if (cmd === 'sudo' || cmd === 'doas' || cmd === 'exec') [cmd, ...rest] = rest;
  if (cmd === undefined) return undefined;
  const name = basename(cmd);
  if (name === 'nix-collect-garbage') {
    const what = gcDeletesAll(rest);
    return what ? `\`nix-collect-garbage ${what}\` deletes every old generation of every profile` : undefined;
  }
  if (name === 'nix-env') {
    const i = rest.findIndex((a) => a === '--delete-generations');
    if (i >= 0 && rest.slice(i + 1).includes('old'))
      return '`nix-env --delete-generations old` deletes every generation but the current one';
  }
  if (name === 'nix') {
    const i = rest.indexOf('profile');
    if (i >= 0 && rest[i + 1] === 'wipe-history') {
      const j = rest.findIndex((a) => a === '--older-than' || a.startsWith('--older-than='));
      if (j < 0)
        return '`nix profile wipe-history` without `--older-than` deletes every non-current generation';
      const v = rest[j]!.includes('=') ? rest[j]!.slice(rest[j]!.indexOf('=') + 1) : rest[j + 1];
      const s = v === undefined ? undefined : periodSeconds(v);
      if (s !== undefined && s < ONE_DAY_S)
        return `\`nix profile wipe-history --older-than ${v}\` keeps nothing older than a day`;
    }
  }
  return undefined;
}

const NEEDLES = ['nix-collect-garbage', 'wipe-history', 'delete-generations'];

/** Whether the string is the value of an option run by root: a systemd unit, an activation script, a boot hook, nix.gc. */
function rootContext(ctx: RuleContext, n: SyntaxNode): boolean {
  const def = ctx.file.definitions.find((d) => d.value.start <= n.start && n.end <= d.value.end);
  if (!def) return false;
  const [a, b] = def.path;
  return (
    a === 'systemd' ||
    a === 'boot' ||
    a === 'nix' ||
    (a === 'system' && b === 'activationScripts') ||
    (a === 'services' && b === 'cron')
  );
}

function scanStrings(ctx: RuleContext, n: SyntaxNode): void {
  if (n.kind === 'String' || n.kind === 'IndString') {
    const raw = ctx.file.text.slice(n.start, n.end);
    if (!NEEDLES.some((s) => raw.includes(s))) return;
    const script = scriptFromString(n);
    const shell = analyzeShell(script.text);
    for (const c of shell.commands) {
      const argv = words(c);
      if (!argv) continue;
      const why = commandDeletesAll(argv);
      if (!why || !c.name) continue;
      // Boot entries are generations of the system profile: nix-env and `nix profile` touch it only with an explicit
      // `-p`/`--profile …/profiles/system`; nix-collect-garbage -d deletes them only when run as root (sudo, or a
      // root context such as a systemd service or an activation script — not a user's shell alias).
      const stmt = script.text.slice(c.stmtStart, c.stmtEnd);
      const systemProfile = /profiles\/system\b/.test(stmt);
      const gc = argv.some((a) => /(?:^|\/)nix-collect-garbage$/.test(a));
      if (!gc && !systemProfile) continue;
      if (
        gc &&
        !systemProfile &&
        !/(?:^|[\s;&|(])(?:sudo|doas|run0)\s/.test(` ${stmt}`) &&
        !rootContext(ctx, n)
      )
        continue;
      ctx.report({
        ...script.rangeToFile(c.name.start, c.stmtEnd),
        message: `${why}: after it runs, the boot menu's older entries point at deleted generations and there is nothing to roll back to. Keep some, e.g. \`--delete-older-than 14d\`, or \`nix profile wipe-history --older-than 14d\`.`,
      });
    }
    return;
  }
  for (const c of n.children) if (c.type === 'node') scanStrings(ctx, c);
}

export const rule: Rule = {
  id: 'gc-deletes-all-generations',
  severity: 'warning',
  title: 'Garbage collection deletes every old generation',
  docs: {
    summary:
      '`nix.gc.options` or a script that deletes every old system generation: `-d`/`--delete-old`, a `--delete-older-than` ' +
      'shorter than a day, `nix profile wipe-history` without `--older-than`, `nix-env --delete-generations old`.',
    why:
      'Seed 001: to free a full /boot, `nix profile wipe-history --profile /nix/var/nix/profiles/system` ran without ' +
      '`--older-than` and removed every rollback generation; the next boot failed and nothing older was left. ' +
      '`nix-collect-garbage -d` runs `nix-env --delete-generations old` on every profile under /nix/var/nix/profiles, ' +
      'which "makes rollbacks to previous configurations impossible" (nixpkgs nix-gc.nix). With `nix.gc.automatic` it ' +
      'happens unattended, and the boot menu keeps stale entries until the next rebuild.',
    bad: 'nix.gc = {\n  automatic = true;\n  options = "-d";\n};',
    good: 'nix.gc = {\n  automatic = true;\n  options = "--delete-older-than 30d";\n};',
    fix:
      'Use `--delete-older-than Nd` with a period that leaves several generations. The quick fix replaces `-d` with `--delete-older-than 30d` (offered, not applied by `--fix`).\n\n' +
      '**When it stays silent.** Boot entries are generations of the system profile. `nix-env --delete-generations` and ' +
      '`nix profile wipe-history` are only reported with an explicit `-p`/`--profile /nix/var/nix/profiles/system`; ' +
      '`nix-collect-garbage -d` only when it runs as root: under `sudo`/`doas`/`run0`, or in a systemd unit, an ' +
      "activation script or `nix.gc` — not in a user's shell alias, where it touches that user's profiles only.",
    references: [
      'nixpkgs nixos/modules/services/misc/nix-gc.nix',
      'NixOS/nix nix-collect-garbage and `nix profile wipe-history` manuals',
    ],
  },
  check(ctx) {
    for (const def of ctx.definitions('nix.gc.options')) {
      const value = literalString(def.value);
      if (value === undefined) continue;
      const args = value.split(/\s+/).filter(Boolean);
      const what = gcDeletesAll(args);
      if (!what) continue;
      const fixes =
        def.value.kind === 'String' && (what === '-d' || what === '--delete-old')
          ? (() => {
              const idx = ctx.file.text.indexOf(what, def.value.start);
              return idx >= 0 && idx < def.value.end
                ? [
                    {
                      title: 'Keep 30 days of generations',
                      edits: [{ start: idx, end: idx + what.length, newText: '--delete-older-than 30d' }],
                      safe: false,
                      preferred: true,
                    },
                  ]
                : [];
            })()
          : [];
      ctx.report({
        start: def.value.start,
        end: def.value.end,
        message: `nix.gc.options "${value}": \`${what}\` deletes every old generation of every profile when the GC runs, so there is nothing to roll back to. Use e.g. "--delete-older-than 30d".`,
        fixes,
      });
    }
    if (NEEDLES.some((s) => ctx.file.text.includes(s))) scanStrings(ctx, ctx.file.root);
  },
};
