// Host scoping: which linted files make up one machine, read from imports and nixosSystem lists.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostScopes, moduleRefs } from '../../server/src/nixos/hosts';
import { parse } from '../../server/src/syntax/index';

const refs = (path: string, text: string) => moduleRefs(path, parse(text).root, text);

function scopes(files: Record<string, string>): Record<string, string[]> | undefined {
  const paths = Object.keys(files);
  const s = hostScopes(paths, paths.map((p) => refs(p, files[p]!)));
  if (!s) return undefined;
  return Object.fromEntries(paths.map((p, i) => [p, s[i]!.map((k) => paths[k]!)]));
}

test('imports are path literals resolved against the file, lists joined with ++, directories mean default.nix', () => {
  const r = refs('/repo/hosts/a/configuration.nix', `{ lib, ... }: {
    imports = [ ./hardware.nix ../../modules (./x.nix) <nixpkgs/nixos/modules/foo.nix> "/not/a/path.nix" ] ++ lib.optional true ./y.nix ++ [ /abs/z.nix ];
    services.foo.imports = "ignored";
  }`);
  assert.deepEqual(r.imports, ['/repo/hosts/a/hardware.nix', '/repo/modules', '/repo/hosts/a/x.nix', '/abs/z.nix']);
  assert.deepEqual(r.moduleLists, []);
  assert.deepEqual(refs('/r/x.nix', '{ a = 1; }'), { imports: [], moduleLists: [] });
});

test('two hosts sharing a module: each sees itself, the shared module sees both', () => {
  const s = scopes({
    '/r/a.nix': '{ imports = [ ./a-hw.nix ./common ]; }',
    '/r/a-hw.nix': '{ }',
    '/r/b.nix': '{ imports = [ ./b-hw.nix ./common ]; }',
    '/r/b-hw.nix': '{ }',
    '/r/common/default.nix': '{ }',
  })!;
  assert.deepEqual(s['/r/a.nix'], ['/r/a.nix', '/r/a-hw.nix', '/r/common/default.nix']);
  assert.deepEqual(s['/r/b-hw.nix'], ['/r/b.nix', '/r/b-hw.nix', '/r/common/default.nix']);
  assert.deepEqual(s['/r/common/default.nix'], ['/r/a.nix', '/r/a-hw.nix', '/r/b.nix', '/r/b-hw.nix', '/r/common/default.nix']);
});

test('a flake: each nixosSystem modules list is one host, with the flake itself', () => {
  const flake = `{
    outputs = { nixpkgs, ... }: {
      nixosConfigurations.web = nixpkgs.lib.nixosSystem { modules = [ ./hosts/web.nix { boot.loader.grub.device = "nodev"; } ]; };
      nixosConfigurations.db = nixpkgs.lib.nixosSystem { modules = [ ./hosts/db.nix ]; };
    };
  }`;
  const s = scopes({ '/r/flake.nix': flake, '/r/hosts/web.nix': '{ imports = [ ./web-hw.nix ]; }', '/r/hosts/web-hw.nix': '{ }', '/r/hosts/db.nix': '{ }' })!;
  assert.deepEqual(s['/r/hosts/web-hw.nix'], ['/r/flake.nix', '/r/hosts/web.nix', '/r/hosts/web-hw.nix']);
  assert.deepEqual(s['/r/hosts/db.nix'], ['/r/flake.nix', '/r/hosts/db.nix']);
  assert.deepEqual(s['/r/flake.nix'], ['/r/flake.nix', '/r/hosts/web.nix', '/r/hosts/web-hw.nix', '/r/hosts/db.nix']);
});

test('files that do not refer to each other are one host; an import cycle is one host', () => {
  assert.equal(scopes({ '/r/a.nix': '{ }', '/r/b.nix': '{ imports = [ ./elsewhere.nix ]; }' }), undefined);
  const s = scopes({ '/r/a.nix': '{ imports = [ ./b.nix ]; }', '/r/b.nix': '{ imports = [ ./a.nix ]; }', '/r/c.nix': '{ }' })!;
  assert.deepEqual(s['/r/a.nix'], ['/r/a.nix', '/r/b.nix']);
  assert.deepEqual(s['/r/c.nix'], ['/r/c.nix']);
});
