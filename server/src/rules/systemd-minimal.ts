// Rule systemd-minimal: a reduced systemd build for the system or the initrd.
import type { Rule } from './types';
import { dottedName } from './util';

const REDUCED = /(^|\.)(systemdMinimal|systemdLibs|systemdUkify)$/;

export const rule: Rule = {
  id: 'systemd-minimal',
  severity: 'warning',
  title: 'A reduced systemd build breaks the initrd units',
  docs: {
    summary:
      '`systemd.package` or `boot.initrd.systemd.package` set to `pkgs.systemdMinimal` (or `systemdLibs`).',
    why:
      "NixOS's systemd modules list units, generators and helpers of the full systemd build and copy them into the " +
      'system and into the systemd initrd: systemd-cryptsetup, the TPM2 and FIDO2 libraries, `systemd-bsod`, the fstab ' +
      'and gpt-auto generators. `systemdMinimal` leaves them out. Seed 002 tried it to shrink a kexec image and the ' +
      'build failed with "missing …/systemd-minimal-259/example/systemd/system/systemd-bsod.service"; suppressing units ' +
      'one at a time only moves the failure — or, worse, to boot time, when a unit the initrd needs (cryptsetup for an ' +
      'encrypted root) is not there.',
    bad: 'systemd.package = pkgs.systemdMinimal;',
    good: '# keep the full build; trim the initrd with boot.initrd.systemd.suppressedUnits if you must\nsystemd.package = pkgs.systemd;',
    fix:
      'Keep the default package. To make an image smaller, remove what pulls in the big parts (see large-initrd-contents, ' +
      '`nix-tree` on the toplevel) or suppress specific units with `boot.initrd.systemd.suppressedUnits` and ' +
      '`suppressedStorePaths` knowingly.',
    references: [
      'nixpkgs nixos/modules/system/boot/systemd/initrd.nix (storePaths of the full systemd, enableTpm2 from package.withTpm2Tss)',
      'nixpkgs#258920 (stage 1 uses the full systemd build)',
      'seed 002 (systemdMinimal: missing systemd-bsod.service)',
    ],
  },
  check(ctx) {
    for (const pattern of ['systemd.package', 'boot.initrd.systemd.package']) {
      for (const def of ctx.definitions(pattern)) {
        const name = dottedName(def.value, ctx.file.text);
        if (!name || !REDUCED.test(name)) continue;
        ctx.report({
          start: def.value.start,
          end: def.value.end,
          message:
            `${pattern} = ${name}: the reduced build lacks units and helpers NixOS copies into the system and the initrd (seed 002: "missing …/systemd-bsod.service"; ` +
            'systemd-cryptsetup, TPM2/FIDO2 support). Keep the full systemd and trim elsewhere.',
        });
      }
    }
  },
};
