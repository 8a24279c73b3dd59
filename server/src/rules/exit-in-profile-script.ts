// Rule exit-in-profile-script: `exit` written into root's .profile from a stage-1 hook.
import { SCRIPTED_HOOKS } from '../nixos/stage1';
import { analyzeShell } from '../shell/analyze';
import type { Rule } from './types';
import { scriptsOf } from './util';

const PROFILE_RE = /(^|\/)(\.profile|\.bashrc|\.ashrc|profile)$/;

export const rule: Rule = {
  id: 'exit-in-profile-script',
  severity: 'info',
  title: '`exit` in the text a stage-1 hook writes into /root/.profile',
  docs: {
    summary:
      'A stage-1 hook appends shell code with an unconditional `exit` to `/root/.profile` (the remote-unlock pattern), ' +
      'or code like `a || echo failed && exit` whose `exit` runs whatever happened (a warning).',
    why:
      'The remote-unlock pattern writes `zfs load-key -a; killall zfs` (or `cryptsetup-askpass`) into `/root/.profile`, ' +
      'which the SSH login shell runs. An `exit` inside that text is correct — it only ends the SSH session once the key ' +
      'is loaded — but it also means you never get a shell to look around when unlocking fails, and it is the same ' +
      'word that, one quote further, bricked seed 001 (`… >> /root/.profile; exit` runs `exit` in /init; see ' +
      'initrd-script-exit). Inside the written text, `a || echo failed && exit` parses as `(a || echo failed) && exit`: ' +
      'the `exit` runs whether `a` worked or not, so a failed unlock closes the session with no way to retry.',
    bad: "boot.initrd.network.postCommands = ''\n  echo \"zfs load-key -a || echo failed && exit\" >> /root/.profile\n'';",
    good: "boot.initrd.network.postCommands = ''\n  echo \"zfs load-key -a && killall zfs && exit\" >> /root/.profile\n'';",
    fix:
      'Keep `exit` inside the quotes, chained with `&&` after the command that must succeed (`zfs load-key -a && killall ' +
      'zfs && exit`), so a failed unlock leaves you in the shell to retry. Under systemd stage 1 none of this applies: ' +
      'use `boot.initrd.systemd.users.root.shell = "/bin/systemd-tty-ask-password-agent"`.',
    references: [
      'OpenZFS "NixOS Root on ZFS" remote unlock (the .profile pattern)',
      "nixpkgs nixos/modules/system/boot/initrd-ssh.nix (root's login shell, home /root)",
      'seed 001',
    ],
  },
  check(ctx) {
    for (const hook of SCRIPTED_HOOKS) {
      for (const def of ctx.definitions(hook.pattern)) {
        for (const { script, shell } of scriptsOf(def)) {
          for (const c of shell.commands) {
            const name = c.name?.value;
            if (name !== 'echo' && name !== 'printf') continue;
            const target = c.redirects.find(
              (r) => (r.op === '>>' || r.op === '>') && r.target?.value && PROFILE_RE.test(r.target.value),
            );
            if (!target) continue;
            for (const arg of c.args.slice(1)) {
              if (arg.value === undefined || !/\bexit\b/.test(arg.value)) continue;
              const inner = analyzeShell(arg.value);
              if (inner.error) continue;
              const exits = inner.commands.filter((x) => x.name?.value === 'exit');
              if (exits.length === 0) continue;
              const trap = /\|\|[^;&|]*&&\s*exit\b/.test(arg.value);
              // `unlock && exit` is the careful form: only an unconditional exit (or the trap) is worth a note.
              if (!trap && exits.every((x) => x.context.conditional)) continue;
              const range = script.rangeToFile(arg.start, arg.end);
              ctx.report({
                ...range,
                ...(trap ? { severity: 'warning' as const } : {}),
                message: trap
                  ? `The text written to ${target.target!.value} has \`… || … && exit\`, which the shell reads as \`(… || …) && exit\`: exit runs whatever happened, so a failed unlock closes the SSH session with no retry. Chain the unlock with && instead.`
                  : `\`exit\` inside the text written to ${target.target!.value} ends the SSH unlock session after the login runs it (fine, and not the /init-killing exit of initrd-script-exit). ` +
                    'Chain it with && after the unlock so a failure leaves you a shell to retry.',
              });
            }
          }
        }
      }
    }
  },
};
