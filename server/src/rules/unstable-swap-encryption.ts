// Rule unstable-swap-encryption: randomly encrypted swap on a kernel device name.
import { unparen } from '../nixos/definitions';
import { bindingIn, items, plainString, UNSTABLE_DEVICE } from '../nixos/options-query';
import type { SyntaxNode } from '../syntax/tree';
import type { Rule } from './types';

function isTrue(n: SyntaxNode | undefined, text: string): boolean {
  const u = unparen(n);
  return !!u && text.slice(u.start, u.end) === 'true';
}

/** Whether a swapDevices entry turns on randomEncryption (`= true`, `.enable = true`, `= { enable = true; … }`). */
function randomEncryption(entry: SyntaxNode, text: string): SyntaxNode | undefined {
  const direct = bindingIn(entry, 'randomEncryption', text);
  if (direct) {
    const v = unparen(direct.value);
    if (isTrue(v, text)) return direct.binding;
    if (v?.kind === 'AttrSet' && isTrue(bindingIn(v, 'enable', text)?.value, text)) return direct.binding;
  }
  const dotted = bindingIn(entry, 'randomEncryption.enable', text);
  return dotted && isTrue(dotted.value, text) ? dotted.binding : undefined;
}

export const rule: Rule = {
  id: 'unstable-swap-encryption',
  severity: 'warning',
  title: 'Random swap encryption on a kernel device name',
  docs: {
    summary: 'A `swapDevices` entry with `randomEncryption` on a `/dev/sdX`, `/dev/nvmeXnYpZ`-style device.',
    why:
      'With `randomEncryption` NixOS runs `cryptsetup` with a fresh random key on the device at every boot and runs ' +
      'mkswap on it: whatever was on that device is gone. Kernel names change when disks are added or probed in ' +
      "another order, and then the device that gets overwritten is another disk's partition — a data-loss bug reported " +
      'in practice (disko#448). Combined with `boot.resumeDevice` on the same swap, hibernation can never resume either.',
    bad: 'swapDevices = [ { device = "/dev/sda3"; randomEncryption.enable = true; } ];',
    good: 'swapDevices = [ { device = "/dev/disk/by-partuuid/5e1f…"; randomEncryption.enable = true; } ];',
    fix:
      'Use `/dev/disk/by-partuuid/…` or `/dev/disk/by-id/…-partN` (not by-uuid: the UUID changes with every mkswap). ' +
      'No automatic fix: only the machine knows the id.',
    references: [
      'nixpkgs nixos/modules/config/swap.nix (randomEncryption: cryptsetup with a random key, mkswap at boot)',
      'nix-community/disko#448',
      'brief nixos-boot-facts.md §H 11',
    ],
  },
  check(ctx) {
    const text = ctx.file.text;
    for (const def of ctx.definitions('swapDevices')) {
      for (const it of items(def.value)) {
        const entry = unparen(it);
        if (!entry || entry.kind !== 'AttrSet') continue;
        const enc = randomEncryption(entry, text);
        if (!enc) continue;
        const dev = bindingIn(entry, 'device', text);
        const v = dev ? plainString(dev.value, text) : undefined;
        if (!dev || !v || !UNSTABLE_DEVICE.test(v)) continue;
        ctx.report({
          start: dev.value.start,
          end: dev.value.end,
          message:
            `swapDevices: ${v} is encrypted with a random key and reformatted at every boot, and kernel names change when disks are added or reordered: ` +
            "another disk's partition would be wiped. Use /dev/disk/by-partuuid/… or /dev/disk/by-id/…-partN.",
        });
      }
    }
  },
};
