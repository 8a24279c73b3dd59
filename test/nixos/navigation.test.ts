// Engine tests of document symbols and navigation (server/src/nixos/symbols.ts, navigation.ts):
// data through one helper each; `$0` marks the cursor.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeFile } from '../../server/src/analysis';
import { optionAt, optionLocations, pathTargetAt } from '../../server/src/nixos/navigation';
import { documentSymbols, type DocumentSymbol } from '../../server/src/nixos/symbols';
import { parse } from '../../server/src/syntax/index';

/** The outline as indented lines `name [kind] detail`. */
function outline(text: string): string[] {
  const { root } = parse(text);
  const lines: string[] = [];
  const walk = (syms: readonly DocumentSymbol[], indent: string) => {
    for (const s of syms) {
      assert.ok(s.start <= s.selectionStart && s.selectionEnd <= s.end, `${s.name}: selection inside range`);
      assert.equal(
        text.slice(s.selectionStart, s.selectionEnd).replace(/\s+/g, ''),
        s.name.replace(/\s+/g, ''),
        'the selection is the name',
      );
      lines.push(`${indent}${s.name} [${s.kind}]${s.detail ? ` ${s.detail}` : ''}`);
      walk(s.children, `${indent}  `);
    }
  };
  walk(documentSymbols(root, text), '');
  return lines;
}

function checkOutline(text: string, expected: string[]): void {
  assert.deepEqual(outline(text), expected);
}

test('symbols: nested sets, dotted paths folded as written, wrappers seen through', () => {
  checkOutline(
    `{ config, lib, ... }:
{
  boot = {
    initrd.luks.devices = {
      cryptroot = { device = "/dev/disk/by-uuid/x"; allowDiscards = true; };
    };
    loader.systemd-boot.configurationLimit = lib.mkDefault 10;
  };
  services.x = lib.mkIf config.y { enable = true; port = 22; };
  networking.firewall = lib.mkMerge [ { enable = true; } (lib.mkIf false { allowPing = false; }) ];
}`,
    [
      'boot [set]',
      '  initrd.luks.devices [set]',
      '    cryptroot [set]',
      '      device [string] "/dev/disk/by-uuid/x"',
      '      allowDiscards [bool] true',
      '  loader.systemd-boot.configurationLimit [number] lib.mkDefault 10',
      'services.x [set] mkIf',
      '  enable [bool] true',
      '  port [number] 22',
      'networking.firewall [set] mkMerge',
      '  enable [bool] true',
      '  allowPing [bool] false',
    ],
  );
});

test("symbols: let bindings, inherit, a helper function's arguments, a flake's hosts", () => {
  checkOutline(
    `let
  inherit (builtins) map;
  mkHost = { name, system ? "x86_64-linux" }: { inherit name; };
in {
  outputs = { self, nixpkgs }: {
    nixosConfigurations.web = nixpkgs.lib.nixosSystem {
      modules = [ ./web.nix { boot.kernelParams = [ "quiet" ]; } ];
    };
  };
}`,
    [
      'map [let] inherit (builtins)',
      'mkHost [function]',
      '  name [argument]',
      '  system [argument]',
      '  name [attribute] inherit',
      'outputs [function]',
      '  self [argument]',
      '  nixpkgs [argument]',
      '  nixosConfigurations.web [set] nixpkgs.lib.nixosSystem',
      '    modules [list]',
      '      boot.kernelParams [list]',
    ],
  );
});

test('symbols: a broken file keeps what parsed; an empty file and garbage have none', () => {
  checkOutline('{\n  a.b = ;\n  c = 1;\n  d = {\n', ['a.b [attribute]', 'c [number] 1', 'd [set]']);
  checkOutline('', []);
  checkOutline('}}}{{{', []);
  checkOutline('"just a string"', []);
});

test('symbols: deep nesting does not overflow the stack', () => {
  const depth = 3000;
  const text = `${'{ a = '.repeat(depth)}1${' ; }'.repeat(depth)}`;
  const { root } = parse(text);
  assert.doesNotThrow(() => documentSymbols(root, text));
});

/** The file model of a fixture with a `$0` cursor, at /ws/DIR/file.nix. */
function at(src: string, path = '/ws/hosts/a/default.nix') {
  const offset = src.indexOf('$0');
  assert.ok(offset >= 0, 'fixture needs a $0 cursor');
  const text = src.replace('$0', '');
  return { model: analyzeFile(path, text), offset, text };
}

test('path literals at the cursor: relative, parent, absolute, a directory, none for interpolations and search paths', () => {
  const cases: Array<[string, string[] | undefined]> = [
    [
      '{ imports = [ ./hard$0ware.nix ]; }',
      ['/ws/hosts/a/hardware.nix', '/ws/hosts/a/hardware.nix/default.nix'],
    ],
    ['{ imports = [ ../../mod$0ules ]; }', ['/ws/modules/default.nix', '/ws/modules']],
    ['{ imports = [ ./x.nix$0 ]; }', ['/ws/hosts/a/x.nix', '/ws/hosts/a/x.nix/default.nix']],
    ['{ key = /etc/ssh/$0host; }', ['/etc/ssh/host/default.nix', '/etc/ssh/host']],
    ['{ imports = [ ./hosts/${na$0me} ]; }', undefined],
    ['{ imports = [ ./hosts/$0${name} ]; }', undefined],
    ['{ imports = [ <nixpkgs/ni$0xos> ]; }', undefined],
    ['{ x = ~/.ss$0h; }', undefined],
    ['{ x = "./not$0-a-path"; }', undefined],
  ];
  for (const [src, expected] of cases) {
    const { model, offset } = at(src);
    assert.deepEqual(pathTargetAt(model, offset)?.candidates, expected, src);
  }
});

test('the option at the cursor: definitions (nested, dotted, inherit) and config reads', () => {
  const cases: Array<[string, string | undefined]> = [
    ['{ boot.init$0rd.luks.devices.x.device = "a"; }', 'boot.initrd'],
    ['{ boot = { initrd = { luks.dev$0ices.x = { }; }; }; }', 'boot.initrd.luks.devices'],
    ['{ config, ... }: { options = { }; config.boot.load$0er.timeout = 1; }', 'boot.loader'],
    [
      '{ config, ... }: { x = lib.mkIf config.boot.initrd.systemd.ena$0ble { }; }',
      'boot.initrd.systemd.enable',
    ],
    ['{ config, ... }: { x = config.services.${n$0ame}.enable; }', undefined],
    ['let x = 1; in { networking.hostName = "a$0"; }', undefined],
  ];
  for (const [src, expected] of cases) {
    const { model, offset } = at(src);
    assert.equal(optionAt(model, offset)?.path.join('.'), expected, src);
  }
});

test('option locations: definitions of it and inside it, reads, each place once, per file in order', () => {
  const a = analyzeFile(
    '/a.nix',
    '{ config, ... }: { boot.initrd = { luks.devices.x.device = "d"; network.enable = true; }; y = config.boot.initrd.network.enable; }',
  );
  const b = analyzeFile(
    '/b.nix',
    '{ lib, ... }: lib.mkMerge [ { boot.initrd.network.enable = true; } { boot.initrd.network.enable = false; } ]',
  );
  const show = (path: string, reads = true) =>
    optionLocations([a, b], path.split('.'), { reads }).map(
      (l) => `${l.file}:${l.kind}:${(l.file === '/a.nix' ? a : b).text.slice(l.start, l.end)}@${l.start}`,
    );
  const nth = (t: string, needle: string, n: number) => {
    let i = -1;
    for (let k = 0; k <= n; k++) i = t.indexOf(needle, i + 1);
    return i;
  };
  assert.deepEqual(show('boot.initrd.network.enable'), [
    `/a.nix:definition:enable@${nth(a.text, 'enable', 0)}`,
    `/a.nix:read:enable@${nth(a.text, 'enable', 1)}`,
    `/b.nix:definition:enable@${nth(b.text, 'enable', 0)}`,
    `/b.nix:definition:enable@${nth(b.text, 'enable', 1)}`,
  ]);
  assert.deepEqual(show('boot.initrd.network.enable', false).length, 3);
  assert.deepEqual(
    show('boot.initrd').map((s) => s.split(':')[1]),
    ['definition', 'read', 'definition', 'definition'],
  );
  assert.deepEqual(show('boot.loader'), []);
  assert.deepEqual(optionLocations([a], []), []);
});
