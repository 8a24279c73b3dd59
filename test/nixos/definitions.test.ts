import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectDefinitions } from '../../server/src/nixos/definitions';
import { parse } from '../../server/src/syntax/index';

/** path = value-source pairs, with markers for conditional definitions. */
function defs(src: string): string[] {
  const { root } = parse(src);
  return collectDefinitions(root)
    .filter((d) => !['AttrSet'].includes(d.value.kind))
    .map((d) => `${d.path.join('.')}${d.conditional ? '?' : ''} = ${src.slice(d.value.start, d.value.end)}`);
}

test('nested sets, dotted and quoted paths', () => {
  assert.deepEqual(
    defs(
      `{ boot.initrd = { network.postCommands = "a"; "luks".devices."my root".device = "/dev/x"; }; boot.loader.grub.enable = true; }`,
    ),
    [
      'boot.initrd.network.postCommands = "a"',
      'boot.initrd.luks.devices.my root.device = "/dev/x"',
      'boot.loader.grub.enable = true',
    ],
  );
});

test('module functions, let, with and config in modules that declare options', () => {
  const src = `{ config, lib, pkgs, ... }:
with lib;
let cfg = config.my; script = "echo hi"; in
{
  options.my.enable = mkEnableOption "x";
  config = mkIf cfg.enable {
    boot.initrd.postDeviceCommands = script;
    boot.kernelParams = [ "quiet" ];
  };
}`;
  assert.deepEqual(defs(src), [
    'boot.initrd.postDeviceCommands? = "echo hi"',
    'boot.kernelParams? = [ "quiet" ]',
  ]);
});

test('module-system wrappers with or without lib.', () => {
  const src = `{ lib, ... }: {
  boot.a = lib.mkForce 1;
  boot.b = mkDefault (mkBefore "x");
  boot.c = lib.mkOverride 50 2;
  boot.d = lib.mkOrder 500 "y";
  boot.e = lib.mkAfter ''z'';
  boot.f = lib.mkMerge [ "p" (lib.mkIf true "q") ];
}`;
  assert.deepEqual(defs(src), [
    'boot.a = 1',
    'boot.b = "x"',
    'boot.c = 2',
    'boot.d = "y"',
    "boot.e = ''z''",
    'boot.f = "p"',
    'boot.f? = "q"',
  ]);
  assert.deepEqual(defs('{ options.x = 1; config.boot.g = 3; }'), ['boot.g = 3']);
});

test('mkMerge of modules and inline modules in imports and flake nixosSystem calls', () => {
  const src = `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      modules = [
        ./configuration.nix
        ({ pkgs, ... }: { boot.initrd.network.postCommands = "exit"; })
        { boot.loader.systemd-boot.configurationLimit = 1; }
      ];
    };
  };
}`;
  assert.deepEqual(defs(src), [
    'boot.initrd.network.postCommands = "exit"',
    'boot.loader.systemd-boot.configurationLimit = 1',
  ]);
  const merged = `{ lib, ... }: lib.mkMerge [ { boot.a = 1; } (lib.mkIf false { boot.b = 2; }) ]`;
  assert.deepEqual(defs(merged), ['boot.a = 1', 'boot.b? = 2']);
  const imports = `{ imports = [ ./hw.nix { boot.a = 1; } ]; boot.b = 2; }`;
  assert.deepEqual(defs(imports).sort(), ['boot.a = 1', 'boot.b = 2']);
});

test('dynamic names, and a broken file still yields the definitions it can', () => {
  assert.deepEqual(defs('{ boot.initrd.luks.devices.${name}.device = "/dev/sda2"; }'), [
    'boot.initrd.luks.devices.<dynamic>.device = "/dev/sda2"',
  ]);
  const broken = `{
  networking.hostName = "box"
  boot.initrd.network.postCommands = "exit";
  boot.loader.grub.device = ;
  boot.loader.timeout = 0;
}`;
  const got = defs(broken);
  assert.ok(got.includes('boot.initrd.network.postCommands = "exit"'), got.join('\n'));
  assert.ok(got.includes('boot.loader.timeout = 0'), got.join('\n'));
});
