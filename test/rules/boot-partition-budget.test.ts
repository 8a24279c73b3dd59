// boot-partition-budget beyond its data fixtures: which host is the measured system when the
// configuration does not name itself, and the judgement's boundaries per loader.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lintTexts } from '../../server/src/analysis';
import { judgeBudget } from '../../server/src/rules/boot-partition-budget';
import { measuredOf } from './fixtures';

const unnamed =
  '{ ... }:\n{\n  boot.loader.systemd-boot.enable = true;\n  boot.loader.systemd-boot.configurationLimit = 10;\n}\n';

test('a host left at the default name "nixos" is the measured system only in its own /etc/nixos (as written or resolved)', () => {
  const system = {
    ...measuredOf('systemd-boot host=nixos free=20MiB used=180MiB each=50MiB generations=4'),
    root: '/mnt',
  };
  const found = (path: string, s = system) =>
    lintTexts([{ path, text: unnamed }], { system: s }).filter((f) => f.rule === 'boot-partition-budget');
  assert.equal(found('/mnt/etc/nixos/configuration.nix').length, 1);
  assert.equal(found('/home/me/nixos-config/configuration.nix').length, 0);
  // /etc/nixos a symlink to a checkout: the resolved directory counts too.
  assert.equal(
    found('/home/me/nixos-config/configuration.nix', { ...system, configDir: '/home/me/nixos-config' })
      .length,
    1,
  );
  assert.equal(
    found('/home/me/nixos-config-old/configuration.nix', { ...system, configDir: '/home/me/nixos-config' })
      .length,
    0,
  );
});

test('judgement boundaries: systemd-boot needs room for its limit, GRUB and extlinux for one more; ample beyond 100', () => {
  const b = measuredOf('systemd-boot free=40MiB used=200MiB each=60MiB').budget; // holds 4
  assert.equal(judgeBudget(b, 'systemd-boot', 4, 4), undefined);
  assert.equal(judgeBudget(b, 'systemd-boot', 5, 4)?.suggestedLimit, 4);
  const g = { ...b, loader: 'grub' as const };
  assert.equal(judgeBudget(g, 'grub', 3, 4), undefined);
  assert.equal(judgeBudget(g, 'grub', 4, 4)?.needed, 5);
  assert.equal(judgeBudget(g, 'grub', 4, 4)?.suggestedLimit, 3);
  // A configurationLimit of 0 or less still keeps the default entry: two at once for GRUB.
  assert.equal(judgeBudget({ ...g, fits: 1 }, 'grub', 0, 4)?.needed, 2);
  // The measurement must be of the same loader, complete, and not ample.
  assert.equal(judgeBudget(b, 'grub', 20, 4), undefined);
  assert.equal(judgeBudget({ ...b, fits: undefined }, 'systemd-boot', 20, 4), undefined);
  assert.equal(judgeBudget({ ...b, fits: 100 }, 'systemd-boot', 500, 4), undefined);
  assert.ok(judgeBudget({ ...b, fits: 99 }, 'systemd-boot', 500, 4));
  // No limit: only when fewer than 3 more of the current size fit.
  assert.equal(judgeBudget({ ...b, roomFor: 3 }, 'systemd-boot', null, 4), undefined);
  assert.match(
    judgeBudget({ ...b, roomFor: 0 }, 'systemd-boot', null, 4)!.message,
    /holds no more of the current size.*The next rebuild that changes the kernel or initrd fails/,
  );
  assert.match(
    judgeBudget({ ...b, roomFor: 2 }, 'systemd-boot', null, 4)!.message,
    /holds only 2 more .*After 2 more rebuilds that change the kernel or initrd, the next such rebuild fails/,
  );
});
