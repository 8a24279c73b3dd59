// Rule zfs-device-not-dataset: a ZFS file system whose device is a path, not a dataset (zfs.nix assertion).
import { plainString } from '../nixos/options-query';
import { DYNAMIC } from '../nixos/definitions';
import type { Rule } from './types';
import { absence } from './util';

export const rule: Rule = {
  id: 'zfs-device-not-dataset',
  severity: 'error',
  title: 'ZFS file system with a device path instead of a dataset name',
  docs: {
    summary:
      '`fileSystems.<mount>.fsType = "zfs"` with a `device` that starts with `/` (`/dev/disk/by-id/…`, `/dev/sda2`).',
    why:
      'For a ZFS mount the `device` is the dataset (`rpool/root`): NixOS takes the part before the first `/` as the pool ' +
      "to import in stage 1. A device path gives an empty pool name and nixpkgs' zfs.nix stops the rebuild: " +
      '"Automatic pool detection found an empty pool name, which can\'t be used. Hint: for `fileSystems` entries with ' +
      '`fsType = zfs`, the `device` attribute should be a zfs dataset name, like `device = "pool/data/set"`." Written ' +
      'by habit from ext4 configurations — and from hardware-configuration.nix generated on another file system — it is ' +
      'a common first-install trap for a ZFS root.',
    bad: 'fileSystems."/" = {\n  device = "/dev/disk/by-id/nvme-Samsung_SSD_980-part2";\n  fsType = "zfs";\n};',
    good: 'fileSystems."/" = {\n  device = "rpool/root";\n  fsType = "zfs";\n};',
    fix:
      'Give the dataset: `zfs list` shows the names (`rpool/root`, `rpool/nix`). Set `mountpoint=legacy` on datasets ' +
      "NixOS mounts through `fileSystems`; the pool's devices are found through `boot.zfs.devNodes` (default /dev/disk/by-id).\n\n" +
      '**When it stays silent.** When the device or the type of the mount is defined more than once, conditionally, with ' +
      'a priority wrapper (`mkForce`), under a computed mount point, or when the zfs type comes from another file of a host ' +
      'that imports modules the linter cannot read (or of no host at all).',
    references: [
      'nixpkgs nixos/modules/tasks/filesystems/zfs.nix (assertion "Automatic pool detection found an empty pool name", 26.05-era revision)',
    ],
  },
  check(ctx) {
    const text = ctx.file.text;
    for (const def of ctx.definitions('fileSystems.*.device')) {
      const device = plainString(def.value, text);
      if (!device || !device.startsWith('/')) continue;
      const mp = def.path[1]!;
      if (mp === DYNAMIC || def.conditional) continue;
      const types = ctx.project.definitions(`fileSystems.${mp}.fsType`);
      const zfs = types.filter(
        ({ file, def: d }) => plainString(d.value, file.text) === 'zfs' && !d.conditional,
      );
      if (zfs.length === 0) continue;
      // Certain only when nothing else may replace the device or the type: no other device or type for this mount in
      // the host, and the type in this file or a closed host (a module not read could override it).
      const devices = ctx.project.definitions(`fileSystems.${mp}.device`);
      if (devices.some(({ def: d }) => d !== def) || types.length !== zfs.length) continue;
      if (def.wrappers.length > 0 || zfs.some(({ def: d }) => d.wrappers.length > 0)) continue;
      const certainty = absence(ctx.project);
      if (certainty.kind === 'unplaced' && !zfs.some(({ file }) => file.path === ctx.file.path)) continue;
      if (certainty.kind === 'open' && !zfs.some(({ file }) => file.path === ctx.file.path)) continue;
      ctx.report({
        start: def.value.start,
        end: def.value.end,
        message:
          `fileSystems."${mp}" is ZFS, but its device "${device}" is a path: the pool name before the first "/" is empty and evaluation fails ` +
          '("Automatic pool detection found an empty pool name, which can\'t be used"). Write the dataset, e.g. "rpool/root".',
      });
    }
  },
};
