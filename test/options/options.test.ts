import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { closestName, editDistance, OptionIndex, optionIndex } from '../../server/src/nixos/options';
import { optionCompletions, optionHover } from '../../server/src/lsp/options';
import { extractOptions, serializeFacts } from '../../scripts/extract-options';

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
  for (const p of [
    'boot.initrd.network.postCommands',
    'boot.initrd.network.ssh.hostKeys',
    'boot.loader.systemd-boot.editor',
    'boot.initrd.systemd.emergencyAccess',
    'nix.gc.options',
    'fileSystems.<name>.neededForBoot',
  ]) {
    assert.ok(idx.facts.options[p], `${p} in option-facts.json`);
  }
  assert.equal(
    idx.lookup(['boot', 'initrd', 'network', 'postCommands'])?.fact.type,
    'strings concatenated with "\\n"',
  );
  assert.equal(
    idx.lookup(['boot', 'initrd', 'luks', 'devices', 'cryptroot', 'device'])?.dotted,
    'boot.initrd.luks.devices.<name>.device',
  );
  assert.ok(Object.keys(idx.facts.sources).length > 5, 'every module records the revision it was read from');
});

test('hover on boot, nix.gc and fileSystems options', () => {
  const h = hoverText('{ boot.initrd.network.post$0Commands = "x"; }');
  assert.ok(h?.includes('**boot.initrd.network.postCommands**'), h);
  assert.ok(h?.includes('*Type:* strings concatenated with "\\n"'), h);
  assert.ok(h?.includes('*Default:* `""`'), h);
  assert.ok(h?.includes('Shell commands to be executed after stage 1'), h);
  // The declaration is a link users can follow; where the facts were read from is not shown.
  assert.ok(
    h?.includes(
      'Declared in [nixos/modules/system/boot/initrd-network.nix](https://github.com/NixOS/nixpkgs/blob/master/nixos/modules/system/boot/initrd-network.nix)',
    ),
    h,
  );
  assert.doesNotMatch(h ?? '', /index file id|commit not reported|Swarsel|@[0-9a-f]{8}/);
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
  assert.ok(
    labels('{ boot.initrd.luks.devices.root.$0 }').includes('device'),
    'names under attrsOf complete the submodule',
  );
  assert.deepEqual(labels('{ nix.$0 }'), ['gc']);
  assert.ok(
    labels('{ fileSystems."/persist" = { need$0 }; }').includes('neededForBoot'),
    'fileSystems.<name> options',
  );
  assert.ok(labels('{ boot.loader.grub.$0 }').includes('efiInstallAsRemovable'));
  const item = optionCompletions(
    ...(() => {
      const { text, offset } = at('{ boot.loader.systemd-boot.edi$0 }');
      return [text, offset] as const;
    })(),
  )[0]!;
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
    shell = mkOption { type = types.either types.bool (types.nullOr (types.passwdEntry types.str)); default = false; description = "Shell."; };
    ids = mkOption { type = types.listOf types.ints.unsigned; default = [ ]; description = "Ids."; };
    settings = mkOption { type = types.submodule { freeformType = with types; attrsOf str; }; default = { }; description = "Free."; };
    one = mkOption { type = types.enum [ "x" ]; default = "x"; description = "Only one."; };
  };
  options.services.other.enable = mkEnableOption "not boot";
  config = { };
}
`,
    );
    writeFileSync(
      join(dir, 'SOURCES.json'),
      JSON.stringify({ 'nixos/modules/system/boot/demo.nix': 'abc123' }),
    );
    const facts = extractOptions(dir, 'test-rev');
    assert.equal(facts.nixpkgsRevision, 'test-rev');
    assert.deepEqual(Object.keys(facts.options), [
      'boot.demo.devices',
      'boot.demo.devices.<name>.device',
      'boot.demo.enable',
      'boot.demo.extra',
      'boot.demo.ids',
      'boot.demo.knobs',
      'boot.demo.mode',
      'boot.demo.one',
      'boot.demo.package',
      'boot.demo.port',
      'boot.demo.settings',
      'boot.demo.shell',
    ]);
    assert.equal(facts.options['boot.demo.enable']!.type, 'boolean');
    assert.equal(facts.options['boot.demo.enable']!.description, 'Whether to enable the demo.');
    assert.equal(facts.options['boot.demo.package']!.default, 'pkgs.demo-tool');
    assert.equal(
      facts.options['boot.demo.port']!.type,
      '16 bit unsigned integer; between 0 and 65535 (both inclusive)',
    );
    assert.equal(facts.options['boot.demo.port']!.default, '22');
    assert.equal(facts.options['boot.demo.port']!.description, 'Port, see `boot.demo.enable`.');
    // Parentheses as nixpkgs' description classes put them (the manual's `attribute set of (submodule)`).
    assert.equal(facts.options['boot.demo.devices']!.type, 'attribute set of (submodule)');
    assert.equal(facts.options['boot.demo.devices']!.open, false);
    assert.equal(facts.options['boot.demo.extra']!.open, true);
    assert.equal(facts.options['boot.demo.mode']!.type, 'null or one of "a", "b"');
    assert.equal(
      facts.options['boot.demo.shell']!.type,
      'boolean or null or (string, not containing newlines or colons)',
    );
    assert.equal(facts.options['boot.demo.ids']!.type, 'list of (unsigned integer, meaning >=0)');
    assert.equal(facts.options['boot.demo.settings']!.type, 'open submodule of attribute set of string');
    assert.equal(facts.options['boot.demo.settings']!.open, true);
    assert.equal(facts.options['boot.demo.one']!.type, 'value "x" (singular enum)');
    assert.equal(facts.options['boot.demo.knobs']!.type, 'attribute set of (knob value)');
    assert.equal(facts.options['boot.demo.knobs']!.open, true);
    assert.equal(facts.sources['nixos/modules/system/boot/demo.nix'], 'abc123');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('extract-options fills `inherit (options.x) type description` from the other option, in another file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nixboot-options-'));
  try {
    mkdirSync(join(dir, 'a'), { recursive: true });
    // a/one.nix is read before z.nix: the inherited fields are filled once every file is read.
    writeFileSync(
      join(dir, 'a/one.nix'),
      `{ options, lib, ... }: { options.boot.initrd.fsList = lib.mkOption { inherit (options.boot.fsList) example type description; default = { }; }; }`,
    );
    writeFileSync(
      join(dir, 'z.nix'),
      `{ lib, ... }: { options.boot.fsList = lib.mkOption { type = lib.types.listOf lib.types.str; default = [ ]; example = [ "zfs" ]; description = "Supported file systems."; }; }`,
    );
    const facts = extractOptions(dir, 'test-rev');
    const f = facts.options['boot.initrd.fsList']!;
    assert.equal(f.type, 'list of string');
    assert.equal(f.description, 'Supported file systems.');
    assert.equal(f.default, '{ }', 'its own default stays');
    assert.equal(f.declaredIn, 'nixos/modules/a/one.nix');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('extract-options reads renamed and removed options, submodule lists, legacy option lists and quoted names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nixboot-options-'));
  try {
    // nixpkgs-shaped: <dir>/nixos/modules/…
    mkdirSync(join(dir, 'nixos/modules/system/boot'), { recursive: true });
    writeFileSync(
      join(dir, 'nixos/modules/system/boot/moved.nix'),
      `{ config, lib, ... }:
let
  inherit (lib) mkOption types;
  core = { name, ... }: { options.mountPoint = mkOption { type = types.str; default = name; description = "Where."; }; };
  extra = { config, ... }: { options = { label = mkOption { type = types.nullOr types.str; default = null; }; }; };
  legacy = { encrypted.enable = mkOption { type = types.bool; default = false; description = "Encrypted."; }; };
in {
  imports = [
    (lib.mkRenamedOptionModule [ "boot" "oldName" ] [ "boot" "demo" "newName" ])
    (lib.mkRemovedOptionModule [ "boot" "demo" "gone" ] "Use something else.")
    (lib.mkChangedOptionModule [ "boot" "demo" "entryFilename" ] [ "boot" "demo" "sortKey" ] (config: config))
  ] ++ map (opt: lib.mkRemovedOptionModule ([ "boot" "demo" ] ++ [ opt ]) "Dropbear is gone.") [ "hostRSAKey" "hostDSSKey" ];
  options = {
    boot.demo.newName = mkOption { type = types.bool; default = false; description = "New."; };
    boot.demo.params = mkOption { type = types.listOf (types.strMatching "x+" // { description = "string of x"; }); default = [ ]; };
    boot.demo.state = mkOption { type = types.str; readOnly = true; visible = false; };
    boot.demo.mounts = mkOption { type = types.attrsOf (types.submodule [ core extra ]); default = { }; };
    boot.demo.old = mkOption { options = [ legacy ]; };
    boot.demo.sysctl = mkOption { type = types.submodule { options."net.core.rmem_max" = mkOption { type = types.int; }; }; };
  };
}
`,
    );
    writeFileSync(
      join(dir, 'SOURCES.json'),
      JSON.stringify({ 'nixos/modules/system/boot/moved.nix': 'abc' }),
    );
    const facts = extractOptions(dir, 'r');
    const o = facts.options;
    assert.equal(
      o['boot.demo.newName']?.declaredIn,
      'nixos/modules/system/boot/moved.nix',
      'nixpkgs-shaped paths are not doubled',
    );
    assert.equal(o['boot.oldName']?.renamedTo, 'boot.demo.newName');
    assert.equal(o['boot.demo.entryFilename']?.renamedTo, 'boot.demo.sortKey');
    assert.equal(o['boot.demo.gone']?.removed, 'Use something else.');
    assert.equal(o['boot.demo.hostRSAKey']?.removed, 'Dropbear is gone.');
    assert.equal(o['boot.demo.hostDSSKey']?.removed, 'Dropbear is gone.');
    assert.equal(o['boot.demo.params']?.type, 'list of (string of x)');
    assert.equal(o['boot.demo.state']?.readOnly, true);
    assert.equal(o['boot.demo.state']?.internal, true, 'visible = false is hidden like internal');
    assert.equal(o['boot.demo.mounts.<name>.mountPoint']?.default, '"‹name›"');
    assert.ok(o['boot.demo.mounts.<name>.label'], 'both modules of submodule [ a b ]');
    assert.ok(o['boot.demo.old.<name>.encrypted.enable'], 'legacy options = [ … ] list');
    assert.ok(o['boot.demo.sysctl."net.core.rmem_max"'], 'a name with dots is quoted');
    const index = new OptionIndex(facts);
    assert.equal(index.lookup(['boot', 'demo', 'sysctl', 'net.core.rmem_max'])?.fact.type, 'signed integer');
    assert.equal(index.movedAt(['boot', 'demo', 'hostRSAKey'])?.dotted, 'boot.demo.hostRSAKey');
    assert.equal(index.movedAt(['boot', 'demo', 'newName']), undefined);
    assert.ok(
      !index.childrenOf(['boot', 'demo']).some((c) => c.name === 'gone'),
      'removed names are not completed',
    );
    // The committed format: one option per line, valid JSON, same content.
    const text = serializeFacts(facts);
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(facts)));
    assert.equal(text.split('\n').filter((l) => l.startsWith('    "boot.')).length, Object.keys(o).length);
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

test('the facts cover every module read (a regression that loses modules fails)', () => {
  const { facts } = optionIndex();
  const keys = Object.keys(facts.options);
  // 443 facts were extracted from 54 module files (scripts/extract-options.ts, November 2026).
  assert.ok(keys.length >= 443, `${keys.length} option facts`);
  assert.ok(keys.filter((k) => k.startsWith('boot.')).length >= 419, 'boot.* facts');
  assert.ok(keys.filter((k) => k.startsWith('fileSystems.')).length >= 17, 'fileSystems.* facts');
  assert.ok(keys.filter((k) => k.startsWith('nix.gc.')).length >= 6, 'nix.gc.* facts');
  assert.ok(Object.keys(facts.sources).length >= 54, 'sources per module file');
  const declaring = new Set(Object.values(facts.options).map((f) => f.declaredIn));
  for (const m of declaring) assert.ok(facts.sources[m], `${m} records the revision it was read from`);
  for (const m of [
    'system/boot/stage-1.nix',
    'system/boot/kernel.nix',
    'system/boot/systemd/initrd.nix',
    'system/boot/luksroot.nix',
    'system/boot/loader/grub/grub.nix',
    'system/boot/loader/systemd-boot/systemd-boot.nix',
    'system/boot/loader/limine/limine.nix',
    'system/boot/loader/refind/refind.nix',
    'system/boot/loader/generic-extlinux-compatible/default.nix',
    'system/boot/tmp.nix',
    'system/boot/binfmt.nix',
    'system/boot/plymouth.nix',
    'system/boot/uki.nix',
    'system/activation/bootspec.nix',
    'system/boot/clevis.nix',
    'system/boot/unl0kr.nix',
    'system/boot/initrd-openvpn.nix',
    'system/boot/stage-2.nix',
    'tasks/filesystems.nix',
    'tasks/filesystems/zfs.nix',
    'tasks/filesystems/bcachefs.nix',
    'tasks/swraid.nix',
    'config/sysctl.nix',
    'services/misc/nix-gc.nix',
    'services/hardware/udev.nix',
    'virtualisation/nixos-containers.nix',
    'system/boot/networkd.nix',
    'config/users-groups.nix',
    'services/system/dbus.nix',
    'system/boot/resolved.nix',
    'config/sysfs.nix',
    'system/boot/uvesafb.nix',
    'services/networking/iscsi/root-initiator.nix',
    'misc/crashdump.nix',
    'misc/version.nix',
    'system/boot/stratisroot.nix',
  ]) {
    assert.ok(declaring.has(`nixos/modules/${m}`), `options declared in ${m}`);
  }
  assert.match(
    facts.nixpkgsRevision,
    /per-file/,
    'the revision says the files come from different revisions',
  );
});

test('hover on options from many modules shows type, default and description', () => {
  const cases: Array<[string, RegExp[]]> = [
    [
      '{ boot.tmp.use$0Tmpfs = true; }',
      [
        /\*\*boot\.tmp\.useTmpfs\*\*/,
        /\*Type:\* boolean/,
        /\*Default:\* `false`/,
        /tmpfs on `\/tmp`/,
        /tmp\.nix/,
      ],
    ],
    [
      '{ boot.loader.limine.maxGen$0erations = 10; }',
      [/\*Type:\* null or signed integer/, /\*Default:\* `null`/, /latest generations/],
    ],
    [
      '{ boot.zfs.forceImport$0Root = false; }',
      [
        /\*Type:\* boolean/,
        /\*Default:\* `lib\.versionOlder config\.system\.stateVersion "26\.11"`/,
        /Forcibly import the ZFS root pool/,
        /zfs\.nix/,
      ],
    ],
    ['{ boot.zfs.allowHiber$0nation = true; }', [/Renamed to `boot\.zfs\.unsafeAllowHibernation`/]],
    [
      '{ boot.binfmt.emulated$0Systems = [ "aarch64-linux" ]; }',
      [/\*Type:\* list of/, /List of systems to emulate/],
    ],
    ['{ boot.initrd.clevis.use$0Tang = true; }', [/\*Default:\* `false`/, /Tang server/]],
    ['{ boot.uki.tr$0ies = 3; }', [/null or \(unsigned integer, meaning >=0\)/, /boot attempts/]],
    [
      '{ boot.kernel.sys$0fs.kernel.mm.transparent_hugepage.enabled = "always"; }',
      [/open submodule of nested attribute set/, /sysfs attributes/, /config\/sysfs\.nix/],
    ],
    ['{ boot.initrd.systemd.network.wait-online.time$0out = 10; }', [/\*Type:\*/, /networkd\.nix/]],
    [
      '{ boot.initrd.systemd.users.root.sh$0ell = "/bin/systemd-tty-ask-password-agent"; }',
      [/not containing newlines or colons/, /users-groups\.nix/],
    ],
    [
      '{ boot.iscsi-initiator.na$0me = "iqn.2020-08.org.example:host"; }',
      [/null or string/, /iSCSI initiator/],
    ],
    ['{ boot.initrd.stage1Gre$0eting = "hi"; }', [/greeting message/]],
    [
      '{ boot.loader.systemd-boot.bootCounting.tr$0ies = 2; }',
      [/positive integer, meaning >0/, /\*Default:\* `3`/, /considered bad/],
    ],
    [
      '{ boot.initrd.supportedFile$0systems = [ "zfs" ]; }',
      [/convertible to it/, /Names of supported filesystem types/],
    ],
    [
      '{ boot.initrd.systemd.en$0able = true; }',
      [/\*Default:\* `true` \(NixOS 26\.05 and later; `false` \(scripted stage 1\) before\)/],
    ],
    ['{ boot.initrd.unl0kr.pack$0age = pkgs.buffybox; }', [/\*Type:\* package/, /pkgs\.buffybox/]],
    [
      '{ boot.loader.systemd-boot.windows."11".efiDevice$0Handle = "HD0b1"; }',
      [/windows\.<name>\.efiDeviceHandle/, /EDK2 UEFI Shell/],
    ],
    [
      '{ fileSystems."/persist".dep$0ends = [ "/" ]; }',
      [/fileSystems\.<name>\.depends/, /mounted before this one/],
    ],
    ['{ nix.gc.da$0tes = "weekly"; }', [/\*Default:\* `"03:15"`/, /systemd\.time/]],
    ['{ boot.kernel$0Params = [ "quiet" ]; }', [/string, with spaces inside double quotes/]],
    ['{ boot.swraid.mdadm$0Conf = ""; }', [/strings concatenated with/, /mdadm\.conf/]],
    ['{ boot.isCont$0ainer = true; }', [/lightweight container/]],
  ];
  for (const [src, patterns] of cases) {
    const h = hoverText(src);
    assert.ok(h, `a hover for ${src}`);
    for (const p of patterns) assert.match(h, p, src);
  }
});

test('hover on a renamed or removed option names the replacement', () => {
  const renamed = hoverText('{ boot.clean$0TmpDir = true; }');
  assert.match(renamed ?? '', /Renamed to `boot\.tmp\.cleanOnBoot`/);
  const removed = hoverText('{ boot.loader.grub.trusted$0Boot.enable = true; }');
  assert.match(removed ?? '', /Removed from NixOS/);
  assert.match(removed ?? '', /Trusted GRUB/);
});

test('completion under boot.initrd. and boot.loader. offers the real names, not renamed ones', () => {
  const initrd = labels('{ boot.initrd.$0 }');
  for (const n of [
    'availableKernelModules',
    'kernelModules',
    'luks',
    'network',
    'systemd',
    'services',
    'clevis',
    'unl0kr',
    'secrets',
    'compressor',
    'postResumeCommands',
    'nix-store-veritysetup',
  ]) {
    assert.ok(initrd.includes(n), `boot.initrd.${n} offered: ${initrd.join(', ')}`);
  }
  assert.ok(!initrd.includes('mdadmConf'), 'renamed boot.initrd.mdadmConf is not offered');
  const loader = labels('{ boot.loader.$0 }');
  for (const n of [
    'grub',
    'systemd-boot',
    'efi',
    'limine',
    'refind',
    'external',
    'generic-extlinux-compatible',
    'initScript',
    'timeout',
  ]) {
    assert.ok(loader.includes(n), `boot.loader.${n} offered: ${loader.join(', ')}`);
  }
  assert.ok(!loader.includes('gummiboot'), 'the old gummiboot names are not offered');
  assert.deepEqual(labels('{ boot.initrd.systemd.tpm$0 }'), ['tpm2']);
  assert.ok(labels('{ boot.loader.limine.style.$0 }').includes('graphicalTerminal'));
  assert.ok(labels('{ boot.initrd.network.$0 }').includes('openvpn'));
  assert.ok(labels('{ boot.$0 }').includes('zfs') && labels('{ boot.$0 }').includes('tmp'));
  assert.ok(!labels('{ boot.$0 }').includes('cleanTmpDir'));
});
