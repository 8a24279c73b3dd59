// Rule systemd-initrd-scripted-hook: scripted stage-1 hooks while systemd stage 1 is in effect.
import { literalString } from './util';
import type { Definition } from '../nixos/definitions';
import type { Rule } from './types';
import { plainString } from '../nixos/options-query';
import { scriptedOnly } from '../nixos/stage1';

/** Options that systemd stage 1 rejects unless empty (systemd/initrd.nix and luksroot.nix assertions). */
const REJECTED: readonly string[] = [
  'boot.initrd.preFailCommands',
  'boot.initrd.preDeviceCommands',
  'boot.initrd.preLVMCommands',
  'boot.initrd.postDeviceCommands',
  'boot.initrd.postResumeCommands',
  'boot.initrd.postMountCommands',
  'boot.initrd.extraUdevRulesCommands',
  'boot.initrd.extraUtilsCommands',
  'boot.initrd.extraUtilsCommandsTest',
  'boot.initrd.network.postCommands',
  'boot.initrd.luks.devices.*.preOpenCommands',
  'boot.initrd.luks.devices.*.postOpenCommands',
];

function how(path: readonly string[], text: string): string {
  const last = path[path.length - 1]!;
  if (last === 'preOpenCommands' || last === 'postOpenCommands')
    return 'a boot.initrd.systemd.services unit with `wantedBy = [ "cryptsetup.target" ]` and `before = [ "systemd-cryptsetup@<name>.service" ]` (or bound to cryptsetup-pre.target)';
  if (path.join('.') === 'boot.initrd.network.postCommands') {
    return /\.profile|load-key|cryptsetup|askpass/.test(text)
      ? 'for unlocking over SSH, set `boot.initrd.systemd.users.root.shell = "/bin/systemd-tty-ask-password-agent"` (the `/root/.profile` trick no longer works: root\'s home in the systemd initrd is not /root and nothing reads .profile)'
      : 'a boot.initrd.systemd.services unit with `after = [ "network-online.target" ]`';
  }
  if (last === 'extraUtilsCommands' || last === 'extraUtilsCommandsTest')
    return '`boot.initrd.systemd.initrdBin`, `extraBin` or `storePaths` for the programs to copy in';
  if (last === 'extraUdevRulesCommands')
    return '`boot.initrd.services.udev.rules` or `boot.initrd.services.udev.packages`';
  return 'a boot.initrd.systemd.services unit with `wantedBy = [ "initrd.target" ]`, ordered with `after`/`before` (e.g. `before = [ "sysroot.mount" ]`) and `unitConfig.DefaultDependencies = false`';
}

export const rule: Rule = {
  id: 'systemd-initrd-scripted-hook',
  severity: 'error',
  title: 'Scripted stage-1 hook under systemd stage 1',
  docs: {
    summary:
      'A scripted stage-1 hook (`boot.initrd.preFailCommands`, `preDeviceCommands`, `preLVMCommands`, `postDeviceCommands`, ' +
      '`postResumeCommands`, `postMountCommands`, `extraUdevRulesCommands`, `extraUtilsCommands`, `network.postCommands`, ' +
      'LUKS `preOpenCommands`/`postOpenCommands`), or an iSCSI root (`boot.iscsi-initiator.name`, a module built from those hooks), ' +
      'while systemd stage 1 is in effect — set explicitly, or by default from NixOS 26.05.',
    why:
      'systemd stage 1 has no `/init` shell script to paste the hooks into, so nixpkgs asserts that each of them is empty: ' +
      "\"systemd stage 1 does not support 'boot.initrd.postDeviceCommands'. Please convert it to analogous systemd units " +
      'in \'boot.initrd.systemd\'." (and for LUKS: "preOpenCommands and postOpenCommands is not supported by systemd ' +
      'stage 1. Please bind a service to cryptsetup.target or cryptsetup-pre.target instead."). Systemd stage 1 became ' +
      'the default in NixOS 26.05 (nixpkgs#435781) and the scripted initrd is scheduled for removal, so every remote-unlock ' +
      'configuration written for the scripted stage 1 — `network.postCommands` appending `zfs load-key` to ' +
      '`/root/.profile` (seed 001) — stops evaluating at the upgrade. Under systemd stage 1 the `.profile` trick does not ' +
      "work at all: root's shell and home come from `boot.initrd.systemd.users.root`.",
    bad: "boot.initrd.systemd.enable = true;\nboot.initrd.network.postCommands = ''\n  echo \"zfs load-key -a; killall zfs\" >> /root/.profile\n'';",
    good:
      'boot.initrd.systemd.enable = true;\nboot.initrd.systemd.network.enable = true;\n' +
      '# ssh in and answer the passphrase prompt of the ZFS/LUKS unit directly\nboot.initrd.systemd.users.root.shell = "/bin/systemd-tty-ask-password-agent";',
    fix:
      'Convert each hook to a `boot.initrd.systemd.services.<name>` unit: `wantedBy = [ "initrd.target" ]` (or ' +
      '`requiredBy` when boot must stop if it fails), ordering with `after`/`before` (`systemd-cryptsetup@<name>.service`, ' +
      '`cryptsetup.target`, `zfs-import-<pool>.service`, `sysroot.mount`), `unitConfig.DefaultDependencies = false`, and ' +
      'the programs it calls in `boot.initrd.systemd.initrdBin`/`extraBin`. For unlocking over SSH, set ' +
      '`boot.initrd.systemd.users.root.shell = "/bin/systemd-tty-ask-password-agent"`. Or keep the scripted stage 1 ' +
      'for now with `boot.initrd.systemd.enable = false;` (it is going away). When the NixOS release is unknown the ' +
      'finding is a warning that names both cases; set `nixboot.nixosRelease` or keep a flake.lock beside the configuration.\n\n' +
      '**When it stays silent.** With scripted stage 1 in effect; for an empty hook; and for a hook that only applies ' +
      'without systemd stage 1: wrapped in `mkIf (!config.boot.initrd.systemd.enable)` (or `lib.optionalString` / ' +
      '`optionalAttrs` with that condition, a `let` alias of it, `cfg.enable` with `cfg = config.boot.initrd.systemd`, or ' +
      "the else branch of `if config.boot.initrd.systemd.enable`), as nixpkgs' own initrd-ssh.nix does.",
    references: [
      'nixpkgs nixos/modules/system/boot/systemd/initrd.nix (assertions "systemd stage 1 does not support …", read at revision 0c3e6c49 and the index\'s stored revision)',
      'nixpkgs nixos/modules/system/boot/luksroot.nix (preOpenCommands/postOpenCommands assertion)',
      'nixpkgs nixos/modules/services/networking/iscsi/root-initiator.nix (assertion "systemd stage 1 does not support iscsi yet")',
      'nixpkgs#435781 (systemd stage 1 by default, 26.05)',
      'brief nixos-boot-facts.md §B, §C',
    ],
  },
  check(ctx) {
    const s = ctx.project.stageOne;
    if (s.systemd === false) return;
    /** Reports what systemd stage 1 rejects: fatal when it is in effect, a warning naming both cases when unknown. */
    const reject = (def: Definition, what: string, quoted: string, fixNow: string, fixLater: string): void =>
      ctx.report({
        start: def.key.start,
        end: def.key.end,
        ...(s.systemd === undefined ? { severity: 'warning' as const } : {}),
        message:
          s.systemd === true
            ? `${what}, and systemd stage 1 is in effect (${s.reason}): evaluation fails with "${quoted}". ${fixNow}`
            : `${what}. It works with scripted stage 1, but with systemd stage 1 (the default from NixOS 26.05; ${s.reason}) evaluation fails with "${quoted}". ${fixLater}`,
      });
    for (const pattern of REJECTED) {
      for (const def of ctx.definitions(pattern)) {
        const v = literalString(def.value) ?? plainString(def.value, ctx.file.text);
        if (v !== undefined && v === '') continue;
        // `mkIf (!config.boot.initrd.systemd.enable) …`: not used under systemd stage 1.
        if (scriptedOnly(def, ctx.file.text)) continue;
        const name = def.path.join('.');
        const conversion = how(def.path, ctx.file.text.slice(def.value.start, def.value.end));
        reject(
          def,
          `${name} is a scripted stage-1 hook`,
          `systemd stage 1 does not support '${name}'`,
          `Convert it: ${conversion}.`,
          `Pin \`boot.initrd.systemd.enable = false;\` for now, or convert it: ${conversion}.`,
        );
      }
    }
    // The iSCSI root module is itself built from scripted hooks (preLVMCommands, extraUtilsCommands) and
    // asserts `!boot.initrd.systemd.enable` whenever an initiator name is set (root-initiator.nix).
    for (const def of ctx.definitions('boot.iscsi-initiator.name')) {
      if (ctx.file.text.slice(def.value.start, def.value.end).trim() === 'null') continue;
      reject(
        def,
        'boot.iscsi-initiator (iSCSI root) is built from scripted stage-1 hooks',
        'systemd stage 1 does not support iscsi yet',
        'Keep this host on scripted stage 1 with `boot.initrd.systemd.enable = false;`.',
        'Pin `boot.initrd.systemd.enable = false;` on this host.',
      );
    }
    if (s.systemd === true) {
      for (const def of ctx.definitions('boot.initrd.network.ssh.shell')) {
        ctx.report({
          start: def.key.start,
          end: def.key.end,
          severity: 'warning',
          message: `boot.initrd.network.ssh.shell is the scripted stage-1 option; under systemd stage 1 (${s.reason}) nixpkgs warns "Please set 'boot.initrd.systemd.users.root.shell' instead of 'boot.initrd.network.ssh.shell'". Set that option instead.`,
        });
      }
    }
  },
};
