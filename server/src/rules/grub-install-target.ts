// Rule grub-install-target: GRUB settings that grub.nix's assertions reject.
import { boolOf, copiedPrefix, literalBools, mayBeDefined } from '../nixos/options-query';
import type { Rule } from './types';
import { absence } from './util';

export const rule: Rule = {
  id: 'grub-install-target',
  severity: 'error',
  title: 'GRUB without an install target, or with contradicting EFI settings',
  docs: {
    summary:
      '`boot.loader.grub.enable = true` with no `device`, `devices` or `mirroredBoots` in the linted files; ' +
      '`efiInstallAsRemovable` together with `boot.loader.efi.canTouchEfiVariables`, or without `efiSupport`.',
    why:
      'grub.nix asserts each of these, so the rebuild stops: "You must set the option ‘boot.loader.grub.devices’ or ' +
      '\'boot.loader.grub.mirroredBoots\' to make the system bootable.", "If you wish to to use ' +
      'boot.loader.grub.efiInstallAsRemovable, then turn off boot.loader.efi.canTouchEfiVariables" and "… then turn on ' +
      'boot.loader.grub.efiSupport". They are the classic first-install and disk-migration errors; without a device ' +
      'GRUB is never written anywhere, and the old boot loader keeps booting old generations.',
    bad: 'boot.loader.grub = {\n  enable = true;\n  efiInstallAsRemovable = true;\n};\nboot.loader.efi.canTouchEfiVariables = true;',
    good: 'boot.loader.grub = {\n  enable = true;\n  device = "nodev";\n  efiSupport = true;\n  efiInstallAsRemovable = true;\n};',
    fix:
      'Set `boot.loader.grub.device` (`"nodev"` for EFI-only installs, else the disk by id, e.g. ' +
      '`/dev/disk/by-id/…`) or `devices`; for removable EFI installs set `efiSupport = true` and drop ' +
      '`canTouchEfiVariables`. The rule only sees the linted files: a device set in another module silences nothing ' +
      'here unless that module is linted too.\n\n' +
      '**When it stays silent.** "No install target" and "no efiSupport" are claims of absence: they are errors only for ' +
      'a closed host (every module it includes was read). A host importing a module the linter cannot read (disko sets ' +
      '`boot.loader.grub.devices` from a partition table with an EF02 partition; any flake input module could) gets a ' +
      'hint naming what could not be checked instead; a file no host includes gets nothing; a copied parent set ' +
      '(`boot.loader.grub = cfg.grub;`) counts as set, and so does a disko layout with an EF02 partition in a file of the ' +
      'host (disko sets `boot.loader.grub.devices` from it).',
    references: [
      'nixpkgs nixos/modules/system/boot/loader/grub/grub.nix (assertions, read from the stored revision in the code index)',
    ],
  },
  check(ctx) {
    const p = ctx.project;
    for (const def of ctx.definitions('boot.loader.grub.enable')) {
      if (!literalBools(p, 'boot.loader.grub.enable', true).some((l) => l.def === def)) continue;
      if (
        ['boot.loader.grub.device', 'boot.loader.grub.devices', 'boot.loader.grub.mirroredBoots'].some((o) =>
          mayBeDefined(p, o),
        )
      )
        continue;
      // A disko layout with a BIOS boot partition (type EF02) in a file of the host: disko sets grub.devices from it.
      if (p.files.some((f) => /\bdisko\b/.test(f.text) && /["']EF02["']/.test(f.text))) continue;
      const certainty = absence(p);
      if (certainty.kind === 'unplaced') continue;
      // NixOS' cloud-image modules set the grub device themselves (virtualisation/digital-ocean-config.nix: /dev/vda).
      if (
        certainty.kind === 'open' &&
        p.host.unreadable.some(
          (u) => /virtualisation\/|-image\.nix|-config\.nix/.test(u) && /NixOS module/.test(u),
        )
      )
        continue;
      if (certainty.kind === 'open') {
        ctx.report({
          start: def.key.start,
          end: def.value.end,
          severity: 'hint',
          message:
            'GRUB is enabled and no file read for this host sets boot.loader.grub.device, devices or mirroredBoots (one is required), but the host imports modules ' +
            `that could not be read and may set them (disko does): ${certainty.notChecked}.`,
        });
        continue;
      }
      ctx.report({
        start: def.key.start,
        end: def.value.end,
        message:
          'GRUB is enabled but no linted file sets boot.loader.grub.device, devices or mirroredBoots: evaluation fails with "You must set the option ‘boot.loader.grub.devices’ or \'boot.loader.grub.mirroredBoots\' to make the system bootable". ' +
          'Set device = "nodev" for EFI, or the disk (by id) for BIOS.',
      });
    }
    for (const def of ctx.definitions('boot.loader.grub.efiInstallAsRemovable')) {
      if (!literalBools(p, 'boot.loader.grub.efiInstallAsRemovable', true).some((l) => l.def === def))
        continue;
      if (literalBools(p, 'boot.loader.efi.canTouchEfiVariables', true).length > 0) {
        ctx.report({
          start: def.key.start,
          end: def.value.end,
          message:
            'efiInstallAsRemovable together with boot.loader.efi.canTouchEfiVariables = true: evaluation fails with "If you wish to to use boot.loader.grub.efiInstallAsRemovable, then turn off boot.loader.efi.canTouchEfiVariables".',
        });
      }
      const efiUnknown =
        p.definitions('boot.loader.grub.efiSupport').some(({ def: d }) => boolOf(d.value) === undefined) ||
        copiedPrefix(p, 'boot.loader.grub.efiSupport') !== undefined;
      if (
        literalBools(p, 'boot.loader.grub.efiSupport', true).length === 0 &&
        !efiUnknown &&
        absence(p).kind === 'certain'
      ) {
        ctx.report({
          start: def.key.start,
          end: def.value.end,
          message:
            'efiInstallAsRemovable without boot.loader.grub.efiSupport = true: evaluation fails with "If you wish to to use boot.loader.grub.efiInstallAsRemovable, then turn on boot.loader.grub.efiSupport".',
        });
      }
    }
  },
};
