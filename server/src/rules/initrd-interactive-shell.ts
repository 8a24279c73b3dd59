// Rule initrd-interactive-shell: a scripted stage-1 hook that starts an interactive shell.
import { SCRIPTED_HOOKS, scriptedOnly } from '../nixos/stage1';
import { runsInScriptShell, type ShellCommand } from '../shell/analyze';
import type { Rule } from './types';
import { scriptsOf } from './util';

const SHELLS = new Set(['sh', 'ash', 'bash', 'hush', 'zsh', 'dash']);
/** Prefixes that still leave an interactive shell on the console. */
const WRAPPERS = new Set(['setsid', 'cttyhack', 'busybox', 'exec', 'nohup']);

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** The shell an interactive invocation starts (`/bin/sh`, `setsid cttyhack sh -i`), or undefined. */
function interactiveShell(c: ShellCommand): string | undefined {
  const words = c.args.map((w) => w.value);
  let i = 0;
  while (i < words.length && words[i] !== undefined && WRAPPERS.has(basename(words[i]!))) {
    i++;
    while (i < words.length && words[i]?.startsWith('-')) i++; // setsid -c, -w
  }
  const shell = words[i];
  if (shell === undefined || !SHELLS.has(basename(shell))) return undefined;
  if (basename(words[0] ?? '') === 'exec') return undefined; // initrd-script-exit reports `exec sh`
  for (const a of words.slice(i + 1)) {
    if (a === undefined) return undefined; // an expansion: could be a script
    if (a === '-c' || a === '-s' || !a.startsWith('-')) return undefined; // a command string or a script file
  }
  if (c.redirects.some((r) => r.op.startsWith('<') && r.target?.value !== '/dev/console')) return undefined; // reads a script from a file or heredoc
  return shell;
}

export const rule: Rule = {
  id: 'initrd-interactive-shell',
  severity: 'error',
  title: 'A stage-1 hook starts an interactive shell',
  docs: {
    summary:
      'A scripted stage-1 hook (boot.initrd.postDeviceCommands and the others pasted into /init) runs `/bin/sh`, `sh`, ' +
      '`ash` or `bash` with no script and no `-c`: an interactive root shell on the console.',
    why:
      'The hooks run inline in `/init`, PID 1 of stage 1, before the root file system is mounted and usually before the ' +
      'disks are unlocked. An interactive shell there waits for input on the console: the boot stops until someone ' +
      'types `exit`, and whoever sits at the console (or on a serial/IPMI/KVM console of a server) has a root shell with ' +
      'no password, with access to the LUKS passphrase prompt and key files. It was seen in a published configuration ' +
      'as `boot.initrd.postDeviceCommands = "/bin/sh";`, left over from debugging. NixOS already has a deliberate, ' +
      'opt-in way to get this shell: the kernel parameters `boot.debug1*` and `boot.shell_on_fail` (see ' +
      'debug-kernel-params and emergency-access).',
    bad: 'boot.initrd.postDeviceCommands = "/bin/sh";',
    good: '# Debug from the boot menu instead: add boot.debug1devices to the kernel command line once.\nboot.initrd.postDeviceCommands = "";',
    fix:
      'Remove the shell. To debug stage 1, add `boot.debug1devices` (or `boot.debug1`, `boot.debug1mounts`) to the ' +
      'kernel command line for one boot from the boot menu instead of building it into the configuration. A shell ' +
      'that runs a script (`sh -c …`, `sh script.sh`, `sh < file`, `… | sh`) is not flagged.',
    references: [
      'nixpkgs nixos/modules/system/boot/stage-1-init.sh (hooks inline in /init; boot.debug1* and boot.shell_on_fail)',
      'nixpkgs nixos/modules/system/boot/stage-1.nix',
    ],
  },
  check(ctx) {
    for (const hook of SCRIPTED_HOOKS) {
      for (const def of ctx.definitions(hook.pattern)) {
        // Under systemd stage 1 a hook guarded by mkIf (!config.boot.initrd.systemd.enable) never runs.
        if (ctx.project.stageOne.systemd === true && scriptedOnly(def, ctx.file.text)) continue;
        for (const { script, shell } of scriptsOf(def)) {
          for (const c of shell.commands) {
            if (!c.name || !runsInScriptShell(c, shell)) continue;
            const sh = interactiveShell(c);
            if (!sh) continue;
            ctx.report({
              ...script.rangeToFile(c.name.start, c.stmtEnd),
              message:
                `\`${script.text.slice(c.stmtStart, c.stmtEnd).trim()}\` in ${def.path.join('.')} starts an interactive root shell inside /init: ` +
                'the boot waits on the console until someone exits it, and anyone at the console gets root before the disks are unlocked. ' +
                'Remove it; to debug, add boot.debug1devices to the kernel command line for one boot.',
            });
          }
        }
      }
    }
  },
};
