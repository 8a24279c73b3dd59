// Rule initrd-network-driver: stage-1 networking with no NIC driver in the initrd's kernel modules.
import { kernelModuleNames, literalBools } from '../nixos/options-query';
import { hostOpenness, importedKernelModules } from '../nixos/stage1Contents';
import type { Rule } from './types';

/** Kernel modules of common wired, virtual and USB network cards. */
const NIC_DRIVERS: ReadonlySet<string> = new Set(
  (
    'e100 e1000 e1000e igb igbvf igc ixgb ixgbe ixgbevf i40e iavf ice idpf r8169 r8125 r8152 8139too 8139cp tg3 bnx2 bnx2x ' +
    'bnxt_en b44 bcmgenet genet virtio_net vmxnet3 xen_netfront hv_netvsc ena gve mlx4_en mlx4_core mlx5_core atlantic alx ' +
    'atl1 atl1c atl1e atl2 sky2 skge forcedeth be2net cdc_ether cdc_ncm r8153_ecm ax88179_178a asix smsc95xx smsc75xx lan78xx ' +
    'stmmac stmmac_platform stmmac-pci dwmac-rk dwmac-sun8i dwmac-meson8b dwmac-intel macb fec mvneta mvpp2 qede qlcnic sfc ' +
    'enic nfp cxgb4 tulip pcnet32 ne2k-pci via-rhine via-velocity natsemi sis900 jme dl2k ionic liquidio mana igc tsnep ' +
    'amd-xgbe thunderx nicvf octeontx2 ravb sh_eth gianfar ucc_geth fsl_enetc enetc bcmsysport bgmac'
  ).split(' '),
);

export const rule: Rule = {
  id: 'initrd-network-driver',
  severity: 'warning',
  title: 'Stage-1 networking without a network card driver in the initrd',
  docs: {
    summary:
      "`boot.initrd.network.enable` (or `boot.initrd.systemd.network.enable`) while the host's hardware configuration " +
      '(in the linted set) lists no network card driver in `boot.initrd.availableKernelModules` or `boot.initrd.kernelModules`.',
    why:
      'Stage 1 only contains the kernel modules listed for the initrd. Without the driver of the network card there is ' +
      'no interface to bring up: the initrd sshd for remote unlock never becomes reachable and the machine waits at ' +
      'the passphrase prompt forever. nixos-generate-config only lists the storage drivers it needs for the root file ' +
      'system, never the NIC. initrd-network.nix\'s own description says "You should add the module(s) required for ' +
      'your network card to boot.initrd.availableKernelModules". Seed 003 (netbooting) hit the same wall and had to build ' +
      'r8169 into the kernel so stage 1 could fetch its image.',
    bad: '# hardware-configuration.nix\nboot.initrd.availableKernelModules = [ "nvme" "xhci_pci" "ahci" ];\n# configuration.nix\nboot.initrd.network.enable = true;',
    good: 'boot.initrd.availableKernelModules = [ "nvme" "xhci_pci" "ahci" "r8169" ];\nboot.initrd.network.enable = true;',
    fix:
      'Find the driver with `lspci -k | grep -iA3 ethernet` ("Kernel driver in use") or `readlink /sys/class/net/<if>/device/driver`, ' +
      'and add it to `boot.initrd.availableKernelModules`. If your kernel has the driver built in (`=y`, as in seed 003), ' +
      'silence the rule for that line with `# nixboot: ignore initrd-network-driver`. The rule only runs when the ' +
      'hardware configuration (a file setting boot.initrd.availableKernelModules) is linted together with the host, and ' +
      'stays silent when a module list is computed rather than written out. Drivers that nixpkgs modules imported by the ' +
      'host add are counted: `profiles/qemu-guest.nix` (imported as `(modulesPath + "/profiles/qemu-guest.nix")`, ' +
      'as nixos-generate-config writes for QEMU/KVM guests) adds virtio_net, virtio_pci, virtio_mmio, virtio_blk, ' +
      "virtio_scsi, 9p and 9pnet_virtio. When the host imports modules the linter cannot read (a flake input's " +
      'module such as nixos-hardware, a file outside the linted set, a computed imports list, another nixpkgs ' +
      'module), one of them may add the driver: the finding is then a hint that names them. A file that no host of the ' +
      'linted files includes (a machine module wired by a helper the linter cannot follow, an old copy) gets nothing: ' +
      'what the host adds to it is unknown.',
    references: [
      'nixpkgs nixos/modules/system/boot/initrd-network.nix (description of boot.initrd.network.enable)',
      'nixpkgs nixos/modules/profiles/qemu-guest.nix (virtio drivers in boot.initrd.availableKernelModules)',
      'seed 003 (NIC driver built in for stage 1)',
      'brief nixos-boot-facts.md §H 7',
    ],
  },
  check(ctx) {
    const p = ctx.project;
    const enables = [
      ...ctx.definitions('boot.initrd.network.enable'),
      ...ctx.definitions('boot.initrd.systemd.network.enable'),
    ].filter((def) => literalBools(p, def.path.join('.'), true).some((l) => l.def === def));
    if (enables.length === 0) return;
    // A file no host includes: its imports and the host's other modules are not known, so absence is not either.
    if (!p.host.placed) return;
    const available = kernelModuleNames(p, 'boot.initrd.availableKernelModules');
    const loaded = kernelModuleNames(p, 'boot.initrd.kernelModules');
    if (!available.defined) return; // no hardware configuration in the set
    if (available.opaque || loaded.opaque) return;
    // Modules the host imports from nixpkgs add drivers too (profiles/qemu-guest.nix: virtio_net).
    const imported = importedKernelModules(p);
    const modules = [...available.names, ...loaded.names, ...imported.flatMap((m) => m.names)];
    if (
      modules.some(
        (m) =>
          NIC_DRIVERS.has(m) ||
          NIC_DRIVERS.has(m.replace(/_/g, '-')) ||
          NIC_DRIVERS.has(m.replace(/-/g, '_')),
      )
    )
      return;
    const hw =
      p.definitions('boot.initrd.availableKernelModules')[0] ??
      p.definitions('boot.initrd.availableKernelModules.*')[0]!;
    const { unread } = hostOpenness(p);
    for (const def of enables) {
      const message =
        `${def.path.join('.')} is on, but no network card driver is in boot.initrd.availableKernelModules or kernelModules ` +
        `(${modules.length ? modules.join(', ') : 'none'} in ${hw.file.path.slice(hw.file.path.lastIndexOf('/') + 1)}): stage 1 will have no interface to bring up. ` +
        'Add the driver `lspci -k` shows for the card (e.g. "r8169", "igb", "e1000e", "virtio_net").';
      if (unread.length === 0) ctx.report({ start: def.key.start, end: def.value.end, message });
      else {
        const shown =
          unread.slice(0, 2).join(', ') + (unread.length > 2 ? `, and ${unread.length - 2} more` : '');
        ctx.report({
          start: def.key.start,
          end: def.value.end,
          severity: 'hint',
          message: `${message} (The host imports modules the linter could not read — ${shown} — which may add the driver; reported as a hint.)`,
        });
      }
    }
  },
};
