// Rule scripted-initrd-deprecated: scripted stage 1 pinned on NixOS 26.05 or later.
import { SYSTEMD_STAGE1_DEFAULT_FROM, systemdByDefault } from '../nixos/release';
import type { Rule } from './types';
import { literalBool } from './util';

/** The release whose nixpkgs no longer has the scripted initrd (stage-1.nix's warning). */
const REMOVAL = '26.11';
const DEPRECATED = `${SYSTEMD_STAGE1_DEFAULT_FROM.year}.${String(SYSTEMD_STAGE1_DEFAULT_FROM.month).padStart(2, '0')}`;

export const rule: Rule = {
  id: 'scripted-initrd-deprecated',
  severity: 'warning',
  title: 'Scripted stage 1 kept on NixOS 26.05 or later',
  docs: {
    summary:
      `\`boot.initrd.systemd.enable = false\` on NixOS ${DEPRECATED} or later (release from the flake.lock or the ` +
      '`nixboot.nixosRelease` setting): the scripted initrd is deprecated there and scheduled for removal.',
    why:
      `Pinning the scripted stage 1 is the quick way through the ${DEPRECATED} upgrade for a remote-unlock configuration ` +
      "written with `network.postCommands` and `/root/.profile` (seed 001), and it works — for one release. nixpkgs' " +
      `stage-1.nix then warns at every rebuild "Scripted initrd is deprecated and scheduled for removal in ${REMOVAL}. ` +
      `See the NixOS ${DEPRECATED} release notes.", and on ${REMOVAL} the option and every scripted hook go away: the ` +
      'configuration stops evaluating on the upgrade, which is the worst moment to rewrite how a server unlocks its disks.',
    bad: '# flake.lock pins nixos-26.05\nboot.initrd.systemd.enable = false;',
    good:
      'boot.initrd.systemd.enable = true;\nboot.initrd.systemd.network.enable = true;\n' +
      'boot.initrd.systemd.users.root.shell = "/bin/systemd-tty-ask-password-agent";',
    fix:
      'Move this host to systemd stage 1 while the scripted one still works as a fallback generation: convert each ' +
      'scripted hook to a `boot.initrd.systemd.services` unit (see systemd-initrd-scripted-hook), test the new generation ' +
      'with a console at hand, and keep the old generation in the boot menu until it has booted.',
    references: [
      `nixpkgs nixos/modules/system/boot/stage-1.nix (warning "Scripted initrd is deprecated and scheduled for removal in ${REMOVAL}", 26.05-era revision)`,
      'nixpkgs#435781 (systemd stage 1 by default, 26.05)',
    ],
  },
  check(ctx) {
    const s = ctx.project.stageOne;
    if (s.source !== 'explicit' || s.systemd !== false || !s.release || !systemdByDefault(s.release)) return;
    for (const def of ctx.definitions('boot.initrd.systemd.enable')) {
      if (literalBool(def.value) !== false) continue;
      ctx.report({
        start: def.key.start,
        end: def.value.end,
        message:
          `Scripted stage 1 on NixOS ${s.release.label}: nixpkgs warns "Scripted initrd is deprecated and scheduled for removal in ${REMOVAL}" ` +
          `at every rebuild, and on ${REMOVAL} this configuration stops evaluating. Move to systemd stage 1 while a scripted generation can still be booted as a fallback.`,
      });
    }
  },
};
