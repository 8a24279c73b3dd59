// The host model: which linted files make up one machine, whether all of it was read, and which
// files no host includes. Read from imports and nixosSystem lists as written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostGraph, moduleRefs, type HostInfo } from '../../server/src/nixos/hosts';
import { parse } from '../../server/src/syntax/index';

const refs = (path: string, text: string) => moduleRefs(path, parse(text).root, text);

function hosts(files: Record<string, string>): Record<string, HostInfo> {
  const paths = Object.keys(files);
  const g = hostGraph(
    paths,
    paths.map((p) => refs(p, files[p]!)),
    '/r',
  );
  return Object.fromEntries(paths.map((p, i) => [p, g.hostOf[i]!.info]));
}

test('imports: path literals resolved against the file, ++ lists, let-bound lists, import ./x.nix args, nixpkgs modules', () => {
  const r = refs(
    '/repo/hosts/a/configuration.nix',
    `{ lib, modulesPath, inputs, ... }: let common = [ ../../modules ]; in {
    imports = [ ./hardware.nix (./x.nix) <nixpkgs/nixos/modules/foo.nix> (modulesPath + "/profiles/qemu-guest.nix") (import ./f.nix { inherit inputs; }) inputs.srvos.nixosModules.server ] ++ lib.optional true ./y.nix ++ common;
    services.foo.imports = "ignored";
  }`,
  );
  assert.deepEqual(
    r.imports.map((i) => (i.ref.kind === 'path' ? i.ref.path : `${i.ref.kind}:${i.ref.text}`)),
    [
      '/repo/hosts/a/hardware.nix',
      '/repo/hosts/a/x.nix',
      'nixpkgs:<nixpkgs/nixos/modules/foo.nix>',
      'nixpkgs:modulesPath + "/profiles/qemu-guest.nix"',
      '/repo/hosts/a/f.nix',
      'unreadable:inputs.srvos.nixosModules.server',
      '/repo/hosts/a/y.nix',
      '/repo/modules',
    ],
  );
  assert.deepEqual(refs('/r/x.nix', '{ a = 1; }'), { imports: [], moduleLists: [] });
});

test('two hosts sharing a module: each sees itself, the shared module sees both; both are closed', () => {
  const h = hosts({
    '/r/a.nix': '{ imports = [ ./a-hw.nix ./common ]; }',
    '/r/a-hw.nix': '{ }',
    '/r/b.nix': '{ imports = [ ./b-hw.nix ./common ]; }',
    '/r/b-hw.nix': '{ }',
    '/r/common/default.nix': '{ }',
  });
  assert.deepEqual(h['/r/a.nix']!.files, ['/r/a.nix', '/r/a-hw.nix', '/r/common/default.nix']);
  assert.deepEqual(h['/r/b-hw.nix']!.files, ['/r/b.nix', '/r/b-hw.nix', '/r/common/default.nix']);
  assert.deepEqual(h['/r/common/default.nix']!.files, [
    '/r/a.nix',
    '/r/a-hw.nix',
    '/r/b.nix',
    '/r/b-hw.nix',
    '/r/common/default.nix',
  ]);
  assert.equal(h['/r/a.nix']!.open, false);
});

test('a flake: each nixosSystem modules list is one host; the flake contributes only that list', () => {
  const flake = `{
    outputs = { nixpkgs, nixpkgs-server, ... }: {
      nixosConfigurations.web = nixpkgs.lib.nixosSystem { modules = [ ./hosts/web.nix { boot.loader.grub.device = "nodev"; } ]; };
      nixosConfigurations.db = nixpkgs-server.lib.nixosSystem { modules = [ ./hosts/db.nix ]; };
    };
  }`;
  const h = hosts({
    '/r/flake.nix': flake,
    '/r/hosts/web.nix': '{ imports = [ ./web-hw.nix ]; }',
    '/r/hosts/web-hw.nix': '{ }',
    '/r/hosts/db.nix': '{ }',
  });
  assert.deepEqual(h['/r/hosts/web-hw.nix']!.files, [
    '/r/flake.nix',
    '/r/hosts/web.nix',
    '/r/hosts/web-hw.nix',
  ]);
  assert.equal(h['/r/hosts/web-hw.nix']!.name, 'nixosConfigurations.web (flake.nix)');
  assert.deepEqual(h['/r/hosts/db.nix']!.files, ['/r/flake.nix', '/r/hosts/db.nix']);
  assert.deepEqual(h['/r/hosts/db.nix']!.inputs, ['nixpkgs-server']);
});

test('a flake-parts module importing the file that defines every host does not merge the hosts', () => {
  const h = hosts({
    '/r/flake.nix':
      '{ outputs = inputs: inputs.flake-parts.lib.mkFlake { inherit inputs; } { imports = [ ./hosts ]; }; }',
    '/r/hosts/default.nix': `{ inputs, ... }: { flake.nixosConfigurations = {
      a = inputs.nixpkgs.lib.nixosSystem { modules = [ ./a ]; };
      b = inputs.nixpkgs.lib.nixosSystem { modules = [ ./b ]; };
    }; }`,
    '/r/hosts/a/default.nix': '{ boot.zfs.enabled = true; }',
    '/r/hosts/b/default.nix': '{ }',
  });
  assert.deepEqual(h['/r/hosts/b/default.nix']!.files, ['/r/hosts/default.nix', '/r/hosts/b/default.nix']);
  assert.equal(h['/r/flake.nix']!.placed, false, 'the flake itself is no module of a host');
});

test('mkHost helpers and genAttrs/readDir: a path pattern makes one host per matching name', () => {
  const flake = `{ outputs = { nixpkgs, ... }: let
      mkHost = name: nixpkgs.lib.nixosSystem { modules = [ ./common.nix ./hosts/\${name}/configuration.nix (./hosts + "/\${name}/hardware.nix") ]; };
    in { nixosConfigurations = nixpkgs.lib.genAttrs [ "a" "b" ] mkHost; }; }`;
  const h = hosts({
    '/r/flake.nix': flake,
    '/r/common.nix': '{ }',
    '/r/hosts/a/configuration.nix': '{ }',
    '/r/hosts/a/hardware.nix': '{ }',
    '/r/hosts/b/configuration.nix': '{ }',
    '/r/hosts/b/hardware.nix': '{ }',
  });
  assert.deepEqual(h['/r/hosts/a/hardware.nix']!.files, [
    '/r/flake.nix',
    '/r/common.nix',
    '/r/hosts/a/configuration.nix',
    '/r/hosts/a/hardware.nix',
  ]);
  assert.equal(h['/r/hosts/a/hardware.nix']!.name, 'mkHost "a" (flake.nix)');
  assert.equal(h['/r/hosts/a/hardware.nix']!.open, false);
});

test('a flake input module, a computed list or a missing file makes the host open, and says what could not be read', () => {
  const h = hosts({
    '/r/flake.nix': `{ outputs = { nixpkgs, disko, ... }@inputs: { nixosConfigurations.x = nixpkgs.lib.nixosSystem {
      modules = [ ./configuration.nix disko.nixosModules.disko ]; }; }; }`,
    '/r/configuration.nix':
      '{ lib, ... }: { imports = [ ./hardware-configuration.nix ] ++ map (n: ./mods + "/${n}") [ "a" ]; }',
  });
  const info = h['/r/configuration.nix']!;
  assert.equal(info.open, true);
  assert.deepEqual([...info.unreadable].sort(), [
    './hardware-configuration.nix (not among the linted files) — imported by configuration.nix',
    'disko.nixosModules.disko',
    'map (n: ./mods + "/${n}") [ "a" ] — imported by configuration.nix',
  ]);
});

test('dead files: a file no host includes is not placed (an import commented out beside configuration.nix)', () => {
  const h = hosts({
    '/r/configuration.nix': '{ imports = [ ./hardware.nix /* ./old.nix */ ]; }',
    '/r/hardware.nix': '{ }',
    '/r/old.nix': '{ imports = [ ./hardware.nix ]; }',
  });
  assert.equal(h['/r/old.nix']!.placed, false);
  assert.equal(h['/r/hardware.nix']!.placed, true);
  assert.deepEqual(h['/r/hardware.nix']!.files, ['/r/configuration.nix', '/r/hardware.nix']);
});

test('files that do not refer to each other are one host; an import cycle is one host', () => {
  const one = hosts({ '/r/a.nix': '{ }', '/r/b.nix': '{ }' });
  assert.deepEqual(one['/r/a.nix']!.files, ['/r/a.nix', '/r/b.nix']);
  assert.equal(one['/r/a.nix']!.open, false);
  const h = hosts({
    '/r/a.nix': '{ imports = [ ./b.nix ]; }',
    '/r/b.nix': '{ imports = [ ./a.nix ]; }',
    '/r/c.nix': '{ }',
  });
  assert.deepEqual(h['/r/a.nix']!.files, ['/r/a.nix', '/r/b.nix']);
  assert.deepEqual(h['/r/c.nix']!.files, ['/r/c.nix']);
});

test("an eval-config call inside a string interpolation is a host; self.nixosModules.NAME is the repository's own module", () => {
  const h = hosts({
    '/r/iso.nix': `{ config, ... }: { system.build.x = ''
      install --system \${(import <nixpkgs/nixos/lib/eval-config.nix> { modules = [ ./configuration.nix ./hw.nix ]; }).config.system.build.toplevel}
    ''; }`,
    '/r/configuration.nix': '{ }',
    '/r/hw.nix': '{ }',
  });
  assert.deepEqual(h['/r/hw.nix']!.files, ['/r/iso.nix', '/r/configuration.nix', '/r/hw.nix']);
  const own = hosts({
    '/r/flake.nix':
      '{ outputs = { self, nixpkgs, ... }: { nixosConfigurations.k = nixpkgs.lib.nixosSystem { modules = [ ./hosts/k.nix ]; }; }; }',
    '/r/hosts/k.nix': '{ self, ... }: { imports = [ self.nixosModules.hardware-zfs ]; }',
    '/r/modules/nixos/hardware/zfs.nix': '{ }',
    '/r/modules/nixos/hardware-zfs.nix': '{ }',
  });
  assert.deepEqual(own['/r/modules/nixos/hardware-zfs.nix']!.files, [
    '/r/flake.nix',
    '/r/hosts/k.nix',
    '/r/modules/nixos/hardware-zfs.nix',
  ]);
  assert.equal(own['/r/hosts/k.nix']!.open, false);
});

test("a colmena-style hive in flake.nix: each node's imports list is a host, not imports of one flake host", () => {
  const h = hosts({
    '/r/flake.nix':
      '{ outputs = { self, ... }: { colmena = { a = { imports = [ ./hosts/a.nix ]; }; b = { imports = [ ./hosts/b.nix ]; }; }; }; }',
    '/r/hosts/a.nix': '{ }',
    '/r/hosts/b.nix': '{ }',
  });
  assert.deepEqual(h['/r/hosts/a.nix']!.files, ['/r/flake.nix', '/r/hosts/a.nix']);
  assert.equal(h['/r/hosts/a.nix']!.name, 'a (flake.nix)');
});

test('NixOS modules from modulesPath: profiles known to set nothing host rules ask about keep the host closed, others open it', () => {
  const closed = hosts({
    '/r/configuration.nix':
      '{ modulesPath, ... }: { imports = [ (modulesPath + "/profiles/qemu-guest.nix") ./hw.nix ]; }',
    '/r/hw.nix': '{ }',
  });
  assert.equal(closed['/r/configuration.nix']!.open, false);
  assert.deepEqual(closed['/r/configuration.nix']!.nixpkgsModules, [
    'modulesPath + "/profiles/qemu-guest.nix"',
  ]);
  const open = hosts({
    '/r/configuration.nix':
      '{ modulesPath, ... }: { imports = [ "${modulesPath}/virtualisation/digital-ocean-config.nix" ./hw.nix ]; }',
    '/r/hw.nix': '{ }',
  });
  assert.equal(open['/r/configuration.nix']!.open, true);
});

test('a flake whose hosts are built by something not read (autowiring): its modules are placed in no host', () => {
  const h = hosts({
    '/r/flake.nix': '{ outputs = inputs: inputs.nixos-unified.lib.mkFlake { inherit inputs; root = ./.; }; }',
    '/r/modules/nixos/zfs.nix': '{ boot.supportedFilesystems = [ "zfs" ]; }',
    '/r/configurations/nixos/k/default.nix': '{ self, ... }: { imports = [ self.nixosModules.zfs ]; }',
  });
  assert.equal(h['/r/modules/nixos/zfs.nix']!.placed, false);
  assert.equal(h['/r/configurations/nixos/k/default.nix']!.placed, false);
});

test('without configuration.nix or a flake, a module that imports nothing and that nothing imports is no host', () => {
  const h = hosts({
    '/r/machine.nix': '{ imports = [ ./common.nix ]; }',
    '/r/common.nix': '{ }',
    '/r/modules/initrd-ssh.nix': '{ boot.initrd.network.enable = true; }',
  });
  assert.equal(h['/r/modules/initrd-ssh.nix']!.placed, false);
  assert.equal(h['/r/common.nix']!.placed, true);
});

test('a stray nixosSystem list (an ISO builder) does not make the other configuration.nix hosts dead', () => {
  const h = hosts({
    '/r/iso/build.nix': '{ nixos }: (nixos.lib.nixosSystem { modules = [ ./iso.nix ]; })',
    '/r/iso/iso.nix': '{ }',
    '/r/hosts/a/configuration.nix': '{ imports = [ ./hw.nix ]; }',
    '/r/hosts/a/hw.nix': '{ }',
  });
  assert.equal(h['/r/hosts/a/hw.nix']!.placed, true);
  assert.deepEqual(h['/r/hosts/a/hw.nix']!.files, ['/r/hosts/a/configuration.nix', '/r/hosts/a/hw.nix']);
  assert.equal(h['/r/iso/iso.nix']!.placed, true);
});
