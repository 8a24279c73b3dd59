import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeFile, lintFile, makeProject } from '../../server/src/analysis';
import {
  commandOnPath,
  hostFsTypes,
  hostOpenness,
  storePathInImage,
  systemdStage1Contents,
} from '../../server/src/nixos/stage1Contents';
import { packagesUsedInStage1 } from '../../server/src/rules/util';

function project(files: Record<string, string>) {
  const models = Object.entries(files).map(([p, t]) => analyzeFile(p, t));
  return { models, project: makeProject(models) };
}

test('defaults of systemd stage 1: initrdBin, extraBin, storePaths', () => {
  const { project: p } = project({ '/h/c.nix': '{ boot.initrd.systemd.enable = true; }' });
  const c = systemdStage1Contents(p);
  const at = (name: string, subpath: string) => storePathInImage(c, { pkg: { name }, subpath }).present;
  assert.equal(at('coreutils', '/bin/echo'), true);
  assert.equal(at('systemd', '/bin/systemctl'), true);
  assert.equal(at('kmod', '/bin/modprobe'), true);
  assert.equal(at('bash', '/bin/bash'), true);
  assert.equal(at('less', '/bin/less'), true);
  assert.equal(at('util-linuxMinimal', '/bin/umount'), true);
  // pkgs.util-linux is another store path than the initrd systemd's util-linuxMinimal.
  assert.equal(at('util-linux', '/bin/umount'), false);
  assert.equal(storePathInImage(c, { pkg: { name: 'lvm2' }, subpath: '/bin/lvm' }).present, false);
  assert.equal(commandOnPath(c, 'umount') !== false, true);
  assert.equal(commandOnPath(c, 'mkfs.ext4'), false);
});

test('with pkgs; storePaths, file-system tools, and a custom initrd systemd', () => {
  const { project: p } = project({
    '/h/c.nix': `{ pkgs, ... }: {
      boot.initrd.systemd.enable = true;
      boot.initrd.systemd.package = pkgs.systemdMinimal;
      boot.initrd.systemd.storePaths = with pkgs; [ util-linux "\${sed-key}/bin/sed-key" ];
      fileSystems."/".fsType = "ext4";
      fileSystems."/persist" = { fsType = "xfs"; neededForBoot = true; };
      fileSystems."/home".fsType = "btrfs";
      fileSystems."/srv".fsType = "f2fs";
    }`,
  });
  const c = systemdStage1Contents(p);
  assert.equal(storePathInImage(c, { pkg: { name: 'util-linux' }, subpath: '/bin/lsblk' }).present, true);
  assert.equal(storePathInImage(c, { pkg: { name: 'sed-key' }, subpath: '/bin/sed-key' }).present, true);
  assert.equal(storePathInImage(c, { pkg: { name: 'sed-key' }, subpath: '/bin/other' }).present, false);
  assert.equal(
    storePathInImage(c, { pkg: { name: 'systemd' }, subpath: '/bin/systemctl' }).present,
    'unknown',
  );
  assert.deepEqual([...hostFsTypes(p).initrd].sort(), ['ext4', 'xfs']);
  assert.notEqual(commandOnPath(c, 'mkfs.ext4'), false); // ext.nix: e2fsprogs
  assert.notEqual(commandOnPath(c, 'xfs_repair'), false); // xfs.nix: xfsprogs.bin (neededForBoot)
  assert.notEqual(commandOnPath(c, 'btrfs'), false); // btrfs.nix: whenever btrfs is used
  assert.equal(commandOnPath(c, 'mkfs.f2fs'), false); // /srv is not mounted in stage 1
});

test('a host importing a module the linter cannot read is open; known nixpkgs profiles are not', () => {
  const closed = project({
    '/h/c.nix':
      '{ modulesPath, ... }: { imports = [ ./hw.nix (modulesPath + "/profiles/qemu-guest.nix") ]; }',
    '/h/hw.nix': '{ }',
  });
  assert.deepEqual(hostOpenness(closed.project).unread, []);
  const open = project({
    '/h/c.nix': '{ inputs, ... }: { imports = [ inputs.srvos.nixosModules.server ./missing.nix ]; }',
  });
  assert.equal(hostOpenness(open.project).unread.length, 2);
});

test('initrd-missing-command says less on an open host: a hint that names what was not read', () => {
  const script = `boot.initrd.systemd.enable = true;
    boot.initrd.systemd.services.u = { wantedBy = [ "initrd.target" ]; script = "sed-key unlock /dev/nvme0n1"; };`;
  for (const [imports, severity] of [
    ['', 'warning'],
    ['imports = [ inputs.tools.nixosModules.default ];', 'hint'],
  ] as const) {
    const { models, project: p } = project({ '/h/c.nix': `{ inputs, ... }: { ${imports} ${script} }` });
    const f = lintFile(models[0]!, p).filter((x) => x.rule === 'initrd-missing-command');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, severity);
    if (severity === 'hint') assert.match(f[0]!.message, /inputs\.tools\.nixosModules\.default/);
  }
});

test('initrd-missing-command and large-initrd-contents never disagree about one store path', () => {
  const { models, project: p } = project({
    '/h/c.nix': `{ pkgs, ... }: {
      boot.initrd.systemd.enable = true;
      boot.initrd.systemd.storePaths = with pkgs; [ util-linux python3 perl ];
      boot.initrd.systemd.services.u = {
        wantedBy = [ "initrd.target" ];
        script = "\${pkgs.util-linux}/bin/umount /x; lsblk; \${pkgs.python3}/bin/python3 /etc/x.py";
      };
    }`,
  });
  const findings = lintFile(models[0]!, p);
  assert.deepEqual(
    findings.filter((f) => f.rule === 'initrd-missing-command'),
    [],
  );
  const large = findings
    .filter((f) => f.rule === 'large-initrd-contents')
    .map((f) => models[0]!.text.slice(f.start, f.end));
  assert.deepEqual(large, ['perl']);
  assert.equal(packagesUsedInStage1(p).has('util-linux'), true);
  assert.equal(packagesUsedInStage1(p).has('python3'), true);
});

test('initrd-network-driver: the qemu-guest profile adds virtio_net; an open host gets a hint', () => {
  const hw = '{ boot.initrd.availableKernelModules = [ "nvme" "ahci" ]; }';
  const cases: Array<[string, string | undefined]> = [
    ['imports = [ ./hw.nix ];', 'warning'],
    ['imports = [ ./hw.nix (modulesPath + "/profiles/qemu-guest.nix") ];', undefined],
    ['imports = [ ./hw.nix "${modulesPath}/profiles/qemu-guest.nix" ];', undefined],
    ['imports = [ ./hw.nix inputs.nixos-hardware.nixosModules.common-pc ];', 'hint'],
  ];
  for (const [imports, severity] of cases) {
    const { models, project: p } = project({
      '/h/c.nix': `{ modulesPath, inputs, ... }: { ${imports} boot.initrd.network.enable = true; }`,
      '/h/hw.nix': hw,
    });
    const f = lintFile(models[0]!, p).filter((x) => x.rule === 'initrd-network-driver');
    assert.deepEqual(
      f.map((x) => x.severity),
      severity ? [severity] : [],
      imports,
    );
  }
});

test('modules that add tools: lvm in stage 1, LUKS devices', () => {
  const { project: p } = project({
    '/h/c.nix': `{
      boot.initrd.systemd.enable = true;
      boot.initrd.services.lvm.enable = true;
      boot.initrd.luks.devices.root.device = "/dev/disk/by-uuid/x";
    }`,
  });
  const c = systemdStage1Contents(p);
  assert.equal(
    storePathInImage(c, { pkg: { name: 'lvm2', output: 'bin' }, subpath: '/bin/lvm' }).present,
    true,
  );
  assert.notEqual(commandOnPath(c, 'lvcreate'), false);
  assert.equal(
    storePathInImage(c, { pkg: { name: 'cryptsetup' }, subpath: '/bin/cryptsetup' }).present,
    'unknown',
  );
});
