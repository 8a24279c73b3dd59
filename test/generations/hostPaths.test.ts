// Paths of a generation on this machine (server/src/system/generations.ts withHostPaths): the
// Generations view opens initrds, compares them and starts terminals at these, never joining the
// system root itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostPath, withHostPaths, type Generation } from '../../server/src/system/generations';

const g: Generation = {
  generation: 7,
  date: '2026-11-22T10:00:00.000Z',
  link: '/mnt/nix/var/nix/profiles/system-7-link',
  storePath: '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nixos-system-host',
  exists: true,
  kernel: { path: '/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-linux-6.12.59/bzImage', size: 10 },
  initrd: { path: '/nix/store/cccccccccccccccccccccccccccccccc-initrd-linux-6.12.59/initrd' },
  kernelParams: [],
  specialisations: [],
  source: 'bootspec',
  current: false,
  booted: false,
  default: true,
};

test('on the running system the host paths are the system paths', () => {
  const h = withHostPaths('/', g);
  assert.equal(h.hostStorePath, g.storePath);
  assert.equal(h.kernel?.hostPath, g.kernel!.path);
  assert.equal(h.initrd?.hostPath, g.initrd!.path);
  assert.equal(h.kernel?.size, 10);
});

test('under a recovery root the host paths are under it (trailing slashes and relative parts resolved)', () => {
  for (const root of ['/mnt', '/mnt/', '/mnt/./x/..']) {
    const h = withHostPaths(root, g);
    assert.equal(h.hostStorePath, `/mnt${g.storePath}`);
    assert.equal(h.initrd?.hostPath, `/mnt${g.initrd!.path}`);
    assert.equal(h.kernel?.hostPath, `/mnt${g.kernel!.path}`);
  }
  // Without a kernel or initrd there is no host path for them.
  const bare = withHostPaths('/mnt', { ...g, kernel: undefined, initrd: undefined });
  assert.equal('initrd' in bare, false);
  assert.equal(hostPath('/mnt', 'nix/store/x'), '/mnt/nix/store/x');
});
