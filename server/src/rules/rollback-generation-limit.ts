// Rule rollback-generation-limit: a boot loader configurationLimit below 3.
import type { Rule } from './types';
import { literalInt, plural } from './util';

const LOADERS = [
  'boot.loader.systemd-boot.configurationLimit',
  'boot.loader.grub.configurationLimit',
  'boot.loader.generic-extlinux-compatible.configurationLimit',
  'boot.loader.raspberryPi.uboot.configurationLimit',
  'boot.loader.limine.maxGenerations',
  'boot.loader.refind.maxGenerations',
];

export const MIN_GENERATIONS = 3;

export const rule: Rule = {
  id: 'rollback-generation-limit',
  severity: 'warning',
  title: 'Too few generations kept in the boot menu',
  docs: {
    summary: 'A boot loader `configurationLimit` below 3 leaves too few generations to roll back to at boot.',
    why:
      'The boot loader installer deletes menu entries and copied kernels/initrds beyond `configurationLimit` at the ' +
      'next `nixos-rebuild boot|switch`. With 1 there is no older entry in the boot menu: when the new generation ' +
      'cannot boot (seed 001: a stage-1 hook with a stray `exit`), only a live USB and `nixos-enter` get the machine ' +
      'back. With 2, one bad rebuild followed by a second attempt leaves nothing known-good.',
    bad: 'boot.loader.systemd-boot.configurationLimit = 1;',
    good: 'boot.loader.systemd-boot.configurationLimit = 5;',
    fix:
      'Keep at least 3 generations; if /boot is small, make room by shrinking the initrd or growing the partition rather ' +
      'than by cutting rollbacks. The quick fix sets the limit to 3 (not applied by `--fix`: it uses more space in /boot).',
    references: [
      'nixpkgs nixos/modules/system/boot/loader/systemd-boot/systemd-boot-builder.py (remove_old_entries)',
      'nixpkgs nixos/modules/system/boot/loader/grub/install-grub.pl',
      'nixpkgs nixos/modules/system/boot/loader/generic-extlinux-compatible',
    ],
  },
  check(ctx) {
    for (const option of LOADERS) {
      for (const def of ctx.definitions(option)) {
        const n = literalInt(def.value);
        if (n === undefined || n >= MIN_GENERATIONS) continue;
        if (n <= 0 && option.endsWith('configurationLimit') && !option.includes('systemd-boot')) continue;
        if (n === 0 && option.includes('systemd-boot')) continue; // 0 means no limit for systemd-boot
        ctx.report({
          start: def.value.start,
          end: def.value.end,
          message:
            `${def.path.join('.')} = ${n} keeps ${plural(n, 'generation')} in the boot menu: ` +
            (n === 1
              ? 'there is nothing to roll back to at boot if this generation fails.'
              : 'one bad rebuild and a retry leave no known-good entry.') +
            ` Keep at least ${MIN_GENERATIONS}.`,
          fixes: [
            {
              title: `Keep ${MIN_GENERATIONS} generations`,
              edits: [{ start: def.value.start, end: def.value.end, newText: String(MIN_GENERATIONS) }],
              safe: false,
              preferred: true,
            },
          ],
        });
      }
    }
  },
};
