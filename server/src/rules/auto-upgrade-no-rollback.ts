// Rule auto-upgrade-no-rollback: unattended upgrades with reboots and no way back at the boot menu.
import { literalBools } from '../nixos/options-query';
import type { Rule } from './types';
import { literalInt } from './util';

const LIMITS = [
  'boot.loader.systemd-boot.configurationLimit',
  'boot.loader.grub.configurationLimit',
  'boot.loader.generic-extlinux-compatible.configurationLimit',
  'boot.loader.limine.maxGenerations',
  'boot.loader.refind.maxGenerations',
];

export const rule: Rule = {
  id: 'auto-upgrade-no-rollback',
  severity: 'warning',
  title: 'Automatic upgrades with reboots but no rollback at boot',
  docs: {
    summary:
      '`system.autoUpgrade.allowReboot = true` together with a boot-loader generation limit below 3 or ' +
      '`boot.loader.timeout = 0` (no menu to pick an older generation).',
    why:
      'An unattended upgrade that reboots into a generation that cannot boot needs someone to pick the previous ' +
      'generation in the boot menu. With a limit of 1–2 generations that entry may already be gone, and with ' +
      '`timeout = 0` the menu never shows unless a key is held at exactly the right moment — on a remote machine, never. ' +
      'Both were seen together in a published configuration: every nightly upgrade is a gamble with no way back short ' +
      "of a rescue system (seed 001's recovery from a live USB with nixos-enter).",
    bad: 'system.autoUpgrade = {\n  enable = true;\n  allowReboot = true;\n};\nboot.loader.timeout = 0;',
    good: 'system.autoUpgrade = {\n  enable = true;\n  allowReboot = true;\n};\nboot.loader.timeout = 5;\nboot.loader.systemd-boot.configurationLimit = 10;',
    fix:
      'Keep at least 3 generations and a boot-menu timeout of a few seconds on machines that reboot by themselves; ' +
      'consider `system.autoUpgrade.rebootWindow` so reboots happen when someone can react.',
    references: [
      'nixpkgs nixos/modules/tasks/auto-upgrade.nix (allowReboot)',
      'nixpkgs nixos/modules/system/boot/loader/loader.nix (boot.loader.timeout)',
      'seed 001 (no rollback left, recovery from a live USB)',
    ],
  },
  check(ctx) {
    const p = ctx.project;
    const mine = ctx.definitions('system.autoUpgrade.allowReboot');
    if (mine.length === 0) return;
    const reasons: string[] = [];
    for (const opt of LIMITS) {
      for (const { def } of p.definitions(opt)) {
        const n = literalInt(def.value);
        if (n !== undefined && n > 0 && n < 3) reasons.push(`${opt} = ${n}`);
      }
    }
    for (const { def } of p.definitions('boot.loader.timeout'))
      if (literalInt(def.value) === 0) reasons.push('boot.loader.timeout = 0');
    if (reasons.length === 0) return;
    for (const def of mine) {
      if (!literalBools(p, 'system.autoUpgrade.allowReboot', true).some((l) => l.def === def)) continue;
      ctx.report({
        start: def.key.start,
        end: def.value.end,
        message:
          `system.autoUpgrade reboots by itself, but ${reasons.join(' and ')}: when an upgrade does not boot, there is no older generation to pick in the boot menu. ` +
          'Keep at least 3 generations and a boot-menu timeout of a few seconds.',
      });
    }
  },
};
