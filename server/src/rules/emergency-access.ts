// Rule emergency-access: an unauthenticated root shell in stage 1 when boot fails.
import { anyTrue, literalBools, stringItems } from '../nixos/options-query';
import type { Rule } from './types';

export const rule: Rule = {
  id: 'emergency-access',
  severity: 'info',
  title: 'Passwordless root shell in stage 1 on boot failure',
  docs: {
    summary:
      '`boot.initrd.systemd.emergencyAccess = true` or `boot.shell_on_fail` in `boot.kernelParams`: a root shell ' +
      'without password on the console when stage 1 fails. Information; a warning on hosts with remote unlock.',
    why:
      'Both give whoever is at the console a root shell before the root file system is mounted — with systemd stage 1 ' +
      'the emergency target opens `sulogin` with no password; with scripted stage 1 `boot.shell_on_fail` adds the `f` ' +
      "choice to fail()'s menu, which execs a root shell as PID 1. That is a fine trade on a laptop you sit in front of " +
      'and a real hole on a server in a rack, especially one with encrypted disks and remote unlock: anyone with the ' +
      'IPMI/KVM console (or who can make stage 1 fail, e.g. by pulling a disk) is root and can wait for you to type the ' +
      'passphrase. Without it, a failed stage 1 just stops ("Cannot open access to console, the root account is ' +
      'locked") and you recover from the boot menu. Seed 003 kept `boot.shell_on_fail` in the netboot kernel command line.',
    bad: 'boot.initrd.systemd.emergencyAccess = true;',
    good: '# a hashed password (mkpasswd -m sha-512) instead of true\nboot.initrd.systemd.emergencyAccess = "$6$…";',
    fix:
      'On machines others can reach the console of, use a hashed password for `boot.initrd.systemd.emergencyAccess` ' +
      '(`mkpasswd -m sha-512`), and add `boot.shell_on_fail` only for one boot from the boot menu when you need it. The ' +
      'quick fix for the kernel parameter removes it (not applied by `--fix`).\n\n' +
      "**When it stays silent.** Under systemd stage 1 `boot.shell_on_fail` does nothing (only the scripted stage 1's " +
      "`/init`, stage-1-init.sh, reads it; the systemd initrd's emergency shell is `boot.initrd.systemd.emergencyAccess`): " +
      'no shell opens, so nothing is reported for it.',
    references: [
      'nixpkgs nixos/modules/system/boot/systemd/initrd.nix (emergencyAccess: "Set to true for unauthenticated emergency access")',
      'nixpkgs nixos/modules/system/boot/stage-1-init.sh (boot.shell_on_fail, fail())',
      'seed 003 (boot.shell_on_fail in the kernel command line)',
    ],
  },
  check(ctx) {
    const p = ctx.project;
    const remote = anyTrue(p, 'boot.initrd.network.ssh.enable');
    const why = remote
      ? ' This host unlocks its disks remotely, so its console is not watched: anyone with console access (IPMI/KVM) gets root before the disks are unlocked.'
      : '';
    const severity = remote ? ('warning' as const) : undefined;
    for (const def of ctx.definitions('boot.initrd.systemd.emergencyAccess')) {
      if (!literalBools(p, 'boot.initrd.systemd.emergencyAccess', true).some((l) => l.def === def)) continue;
      ctx.report({
        start: def.key.start,
        end: def.value.end,
        ...(severity ? { severity } : {}),
        message:
          'boot.initrd.systemd.emergencyAccess = true opens a root shell without password on the console whenever stage 1 fails.' +
          why +
          ' Use a hashed password instead (mkpasswd -m sha-512) if you need emergency access.',
      });
    }
    for (const def of ctx.definitions('boot.kernelParams')) {
      for (const s of stringItems(def, ctx.file.text)) {
        if (s.value !== 'boot.shell_on_fail') continue;
        const st = p.stageOne;
        // Systemd stage 1 never reads it: no shell opens, nothing to warn about.
        if (st.systemd === true) continue;
        ctx.report({
          start: s.node.start,
          end: s.node.end,
          ...(severity ? { severity } : {}),
          message:
            'boot.shell_on_fail lets anyone at the console start a root shell without password when stage 1 fails.' +
            why +
            ' Add it from the boot menu for one boot when you need it instead of keeping it in the configuration.',
        });
      }
    }
  },
};
