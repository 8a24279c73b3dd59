import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { closestName, editDistance, optionIndex } from '../../server/src/nixos/options';
import { optionCompletions, optionHover } from '../../server/src/lsp/options';
import { extractOptions } from '../../scripts/extract-options';

/** `$0` marks the cursor. */
function at(src: string): { text: string; offset: number } {
  const offset = src.indexOf('$0');
  assert.ok(offset >= 0, 'fixture needs a $0 cursor');
  return { text: src.replace('$0', ''), offset };
}

function hoverText(src: string): string | undefined {
  const { text, offset } = at(src);
  const h = optionHover(text, offset);
  if (!h) return undefined;
  const c = h.contents as { value: string };
  return c.value;
}

function labels(src: string): string[] {
  const { text, offset } = at(src);
  return optionCompletions(text, offset).map((c) => c.label);
}

test('the committed data has the boot options the rules rely on', () => {
  const idx = optionIndex();
  for (const p of ['boot.initrd.network.postCommands', 'boot.initrd.network.ssh.hostKeys', 'boot.loader.systemd-boot.editor', 'boot.initrd.systemd.emergencyAccess', 'nix.gc.options', 'fileSystems.<name>.neededForBoot']) {
    assert.ok(idx.facts.options[p], `${p} in option-facts.json`);
  }
  assert.equal(idx.lookup(['boot', 'initrd', 'network', 'postCommands'])?.fact.type, 'strings concatenated with "\\n"');
  assert.equal(idx.lookup(['boot', 'initrd', 'luks', 'devices', 'cryptroot', 'device'])?.dotted, 'boot.initrd.luks.devices.<name>.device');
  assert.ok(Object.keys(idx.facts.sources).length > 5, 'every module records the revision it was read from');
});

test('hover on boot, nix.gc and fileSystems options', () => {
  const h = hoverText('{ boot.initrd.network.post$0Commands = "x"; }');
  assert.ok(h?.includes('**boot.initrd.network.postCommands**'), h);
  assert.ok(h?.includes('*Type:* strings concatenated with "\\n"'), h);
  assert.ok(h?.includes('*Default:* `""`'), h);
  assert.ok(h?.includes('Shell commands to be executed after stage 1'), h);
  const nested = hoverText('{ fileSystems."/persist" = { device = "/dev/x"; needed$0ForBoot = true; }; }');
  assert.ok(nested?.includes('**fileSystems.<name>.neededForBoot**'), nested);
  const gc = hoverText('{ nix.gc = { opt$0ions = "-d"; }; }');
  assert.ok(gc?.includes('nix-collect-garbage'), gc);
  const set = hoverText('{ boot.ini$0trd.network.enable = true; }');
  assert.ok(set?.includes('option set') && set.includes('`network`'), set);
});

test('no hover outside the covered options, on unknown names, or on values', () => {
  assert.equal(hoverText('{ services.openssh.en$0able = true; }'), undefined);
  assert.equal(hoverText('{ boot.intird.net$0work.enable = true; }'), undefined);
  assert.equal(hoverText('{ boot.initrd.network.enable = tr$0ue; }'), undefined);
  assert.equal(hoverText('{ boot.initrd = { $0'), undefined); // broken input: no crash, no answer
});

test('completion after boot. and in nested sets', () => {
  assert.ok(labels('{ boot.$0 }').includes('initrd'));
  assert.ok(labels('{ boot.$0 }').includes('loader'));
  assert.deepEqual(labels('{ boot.initrd.netw$0 }'), ['network']);
  assert.deepEqual(labels('{\n  boot.initrd = {\n    ne$0\n  };\n}'), ['network']);
  assert.ok(labels('{ boot.initrd.network.ssh = { host$0 }; }').includes('hostKeys'));
  assert.ok(labels('{ boot.initrd.luks.devices.root.$0 }').includes('device'), 'names under attrsOf complete the submodule');
  assert.deepEqual(labels('{ nix.$0 }'), ['gc']);
  assert.ok(labels('{ fileSystems."/persist" = { need$0 }; }').includes('neededForBoot'), 'fileSystems.<name> options');
  assert.ok(labels('{ boot.loader.grub.$0 }').includes('efiInstallAsRemovable'));
  const item = optionCompletions(...(() => { const { text, offset } = at('{ boot.loader.systemd-boot.edi$0 }'); return [text, offset] as const; })())[0]!;
  assert.equal(item.label, 'editor');
  assert.equal(item.detail, 'boolean');
});

test('no completion in values, strings or for other option trees', () => {
  assert.deepEqual(labels('{ boot.initrd.network.enable = boot.$0 }'), []);
  assert.deepEqual(labels('{ x = "boot.$0"; }'), []);
  assert.deepEqual(labels('{ services.$0 }'), []);
  assert.deepEqual(labels('{ bo$0 }'), []);
});

test('typo distance and suggestions', () => {
  assert.equal(editDistance('intird', 'initrd'), 1);
  assert.equal(editDistance('netwrok', 'network'), 1);
  assert.equal(closestName('intird', ['initrd', 'loader']), 'initrd');
  assert.equal(closestName('hostkeys', ['hostKeys', 'port']), 'hostKeys');
  assert.equal(closestName('users', ['units', 'mounts']), undefined, 'short names need a closer match');
  assert.equal(closestName('grub', ['efi', 'timeout', 'systemd-boot']), undefined);
});

test('extract-options reads mkOption, mkEnableOption, mkPackageOption and submodules from module sources', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nixboot-options-'));
  try {
    mkdirSync(join(dir, 'system/boot'), { recursive: true });
    writeFileSync(
      join(dir, 'system/boot/demo.nix'),
      `{ config, lib, pkgs, ... }:
with lib;
let
  knob = mkOptionType { name = "knob value"; check = x: true; };
  devOpts = { name, ... }: {
    options.device = mkOption { type = types.str; description = "The device."; };
  };
in {
  options.boot.demo = {
    enable = mkEnableOption "the demo";
    package = mkPackageOption pkgs "demo-tool" { };
    port = mkOption { type = types.port; default = 22; description = lib.mdDoc "Port, see {option}\`boot.demo.enable\`."; };
    devices = mkOption { type = with types; attrsOf (submodule devOpts); default = { }; description = "Devices."; };
    extra = mkOption { type = types.attrsOf types.str; default = { }; description = "Free-form."; };
    mode = lib.mkOption { type = lib.types.nullOr (lib.types.enum [ "a" "b" ]); default = null; defaultText = literalExpression "null"; description = "Mode."; };
    knobs = mkOption { type = types.attrsOf knob; default = { }; description = "Custom type."; };
  };
  options.services.other.enable = mkEnableOption "not boot";
  config = { };
}
`,
    );
    writeFileSync(join(dir, 'SOURCES.json'), JSON.stringify({ 'nixos/modules/system/boot/demo.nix': 'abc123' }));
    const facts = extractOptions(dir, 'test-rev');
    assert.equal(facts.nixpkgsRevision, 'test-rev');
    assert.deepEqual(Object.keys(facts.options), [
      'boot.demo.devices',
      'boot.demo.devices.<name>.device',
      'boot.demo.enable',
      'boot.demo.extra',
      'boot.demo.knobs',
      'boot.demo.mode',
      'boot.demo.package',
      'boot.demo.port',
    ]);
    assert.equal(facts.options['boot.demo.enable']!.type, 'boolean');
    assert.equal(facts.options['boot.demo.enable']!.description, 'Whether to enable the demo.');
    assert.equal(facts.options['boot.demo.package']!.default, 'pkgs.demo-tool');
    assert.equal(facts.options['boot.demo.port']!.type, '16 bit unsigned integer; between 0 and 65535 (both inclusive)');
    assert.equal(facts.options['boot.demo.port']!.default, '22');
    assert.equal(facts.options['boot.demo.port']!.description, 'Port, see `boot.demo.enable`.');
    assert.equal(facts.options['boot.demo.devices']!.type, 'attribute set of submodule');
    assert.equal(facts.options['boot.demo.devices']!.open, false);
    assert.equal(facts.options['boot.demo.extra']!.open, true);
    assert.equal(facts.options['boot.demo.mode']!.type, 'null or (one of "a", "b")');
    assert.equal(facts.options['boot.demo.knobs']!.type, 'attribute set of (knob value)');
    assert.equal(facts.options['boot.demo.knobs']!.open, true);
    assert.equal(facts.sources['nixos/modules/system/boot/demo.nix'], 'abc123');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('extract-options survives broken and non-module files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nixboot-options-'));
  try {
    writeFileSync(join(dir, 'broken.nix'), '{ options.boot.x = mkOption { type = ');
    writeFileSync(join(dir, 'list.nix'), '[ 1 2 3 ]');
    writeFileSync(join(dir, 'empty.nix'), '');
    const facts = extractOptions(dir, 'r');
    assert.ok(typeof facts.options === 'object');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
