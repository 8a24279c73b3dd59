// Rule syntax-error: Nix syntax errors, and shell syntax errors in stage-1 hooks.
import { SCRIPTED_HOOKS, SYSTEMD_STAGE1_SCRIPT_OPTIONS } from '../nixos/stage1';
import type { Rule } from './types';
import { scriptsOf } from './util';

export const rule: Rule = {
  id: 'syntax-error',
  severity: 'error',
  title: 'Syntax error',
  docs: {
    summary: 'A Nix syntax error in the file, or a shell syntax error in a stage-1 script.',
    why:
      'A Nix syntax error stops evaluation, so `nixos-rebuild` fails before anything is built. A shell syntax error ' +
      'in a scripted stage-1 hook fails the initrd build (nixpkgs checks `/init` with `sh -n` and `ash -n`, ' +
      'nixpkgs#48160); in a systemd stage-1 unit script it fails only at boot. nixboot keeps analysing the rest of a ' +
      'broken file, so every other finding is still shown.',
    bad: 'boot.initrd.network.postCommands = \'\'\n  echo "zfs load-key -a; killall zfs >> /root/.profile\n\'\';',
    good: 'boot.initrd.network.postCommands = \'\'\n  echo "zfs load-key -a; killall zfs" >> /root/.profile\n\'\';',
    fix: 'Fix the syntax at the reported position. There is no automatic fix.',
    references: ['NixOS/nix src/libexpr/parser.y', 'nixpkgs nixos/modules/system/boot/stage-1.nix (postInstall syntax check)', 'NixOS/nixpkgs#48160'],
  },
  check(ctx) {
    for (const e of ctx.file.errors) ctx.report({ start: e.start, end: Math.max(e.end, e.start), message: `Nix syntax error: ${e.message}` });
    for (const pattern of [...SCRIPTED_HOOKS.map((h) => h.pattern), ...SYSTEMD_STAGE1_SCRIPT_OPTIONS]) {
      for (const def of ctx.definitions(pattern)) {
        for (const { script, shell } of scriptsOf(def)) {
          if (!shell.error) continue;
          const at = script.toFile(shell.error.index);
          ctx.report({
            start: at,
            end: at + 1,
            severity: 'warning',
            message: `Shell syntax error in ${def.path.join('.')}: ${shell.error.message}. Stage 1 runs this text with a shell; the build or the boot will fail here.`,
          });
        }
      }
    }
  },
};
