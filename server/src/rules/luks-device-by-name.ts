// Rule luks-device-by-name: stage-1 devices given by kernel name (/dev/sda2) instead of a stable id.
import { plainString, UNSTABLE_DEVICE } from '../nixos/options-query';
import { PATHS_NEEDED_FOR_BOOT } from '../nixos/stage1Contents';
import type { SyntaxNode } from '../syntax/tree';
import type { Rule, RuleContext } from './types';

function report(ctx: RuleContext, n: SyntaxNode, what: string, device: string): void {
  ctx.report({
    start: n.start,
    end: n.end,
    message:
      `${what} is ${device}, a kernel name that changes when disks are added, removed or probed in another order: stage 1 then opens or mounts the wrong disk, or waits for one that is not there. ` +
      'Use /dev/disk/by-uuid/…, /dev/disk/by-partuuid/… or /dev/disk/by-id/… (`ls -l /dev/disk/by-uuid`).',
  });
}

export const rule: Rule = {
  id: 'luks-device-by-name',
  severity: 'warning',
  title: 'Stage-1 device given by kernel name',
  docs: {
    summary:
      '`boot.initrd.luks.devices.<name>.device`, `boot.resumeDevice`, or the `device` of a file system stage 1 mounts ' +
      '(/, /nix, /var, … or `neededForBoot = true`) written as `/dev/sdX`, `/dev/nvmeXnY`, `/dev/vdX`, `/dev/mmcblkX`.',
    why:
      'Kernel names are assigned in probe order. Plug in a USB disk, add a second NVMe drive, or change a controller ' +
      'setting and `/dev/sda` is another disk: stage 1 asks for the passphrase of a device that is not the LUKS ' +
      'container, mounts the wrong partition, or waits forever for a device that no longer has that name — on a remote ' +
      'machine, a boot that never finishes. UUIDs, PARTUUIDs and by-id links stay the same.',
    bad: 'boot.initrd.luks.devices.root.device = "/dev/nvme0n1p2";',
    good: 'boot.initrd.luks.devices.root.device = "/dev/disk/by-uuid/3f6d…";',
    fix:
      'Look up the stable name with `ls -l /dev/disk/by-uuid /dev/disk/by-partuuid /dev/disk/by-id` or `blkid`, and use ' +
      'it. There is no automatic fix: only the machine knows the UUID.\n\n' +
      '**When it stays silent.** A file-system device given as a default (`mkDefault`, `mkOverride`) that the host ' +
      "overrides — another definition of the same mount's device, or a disko layout (`disko.devices`), whose file " +
      'systems replace it — is not in effect and is not reported. Nor is a definition under a guard (`mkIf`, ' +
      '`optionalAttrs`, `if … then … else { }`) in a file that no host of the linted files includes: no host is known ' +
      'to turn the guard on. An unguarded one there is reported (a profile for machines outside the repository).',
    references: [
      'nixpkgs nixos/modules/system/boot/luksroot.nix (device)',
      'nixpkgs nixos/lib/utils.nix (pathsNeededForBoot)',
      'brief nixos-boot-facts.md §H 10',
    ],
  },
  check(ctx) {
    const text = ctx.file.text;
    // A guarded definition (`mkIf (config.my.platform == "x") { … }`) in a file no host includes: no
    // host is known to turn the guard on, so the device may never be used.
    const unplaced = !ctx.project.host.placed;
    const inEffect = (def: { conditional: boolean }) => !(unplaced && def.conditional);
    for (const def of ctx.definitions('boot.initrd.luks.devices.*.device')) {
      if (!inEffect(def)) continue;
      const v = plainString(def.value, text);
      if (v && UNSTABLE_DEVICE.test(v))
        report(ctx, def.value, `boot.initrd.luks.devices."${def.path[4]}".device`, v);
    }
    for (const def of ctx.definitions('boot.resumeDevice')) {
      if (!inEffect(def)) continue;
      const v = plainString(def.value, text);
      if (v && UNSTABLE_DEVICE.test(v)) report(ctx, def.value, 'boot.resumeDevice', v);
    }
    for (const def of ctx.definitions('fileSystems.*.device')) {
      if (!inEffect(def)) continue;
      const v = plainString(def.value, text);
      if (!v || !UNSTABLE_DEVICE.test(v)) continue;
      const mp = def.path[1]!;
      // A default (`fileSystems."/" = mkDefault { device = "/dev/sda1"; }`) that the host overrides — another device for
      // the mount, or a disko layout, whose file systems replace it — is not in effect.
      const parent = ctx.file.definitions.find(
        (d) =>
          d.path.length === 2 &&
          d.path[0] === 'fileSystems' &&
          d.path[1] === mp &&
          d.value.start <= def.binding.start &&
          def.binding.end <= d.value.end,
      );
      const weak = [...def.wrappers, ...(parent?.wrappers ?? [])].some(
        (w) => w === 'mkDefault' || w === 'mkOverride' || w === 'mkOptionDefault',
      );
      if (
        weak &&
        (ctx.project.definitions(`fileSystems.${mp}.device`).some(({ def: d }) => d !== def) ||
          ctx.project.files.some((f) => /\bdisko\.devices\b/.test(f.text)))
      )
        continue;
      const needed =
        PATHS_NEEDED_FOR_BOOT.includes(mp) ||
        ctx.project
          .definitions(`fileSystems.${mp}.neededForBoot`)
          .some(({ file, def: d }) => file.text.slice(d.value.start, d.value.end) === 'true');
      if (needed) report(ctx, def.value, `fileSystems."${mp}".device (mounted in stage 1)`, v);
    }
  },
};
