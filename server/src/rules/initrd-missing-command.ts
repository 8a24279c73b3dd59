// Rule initrd-missing-command: a command in a stage-1 script that stage 1 will not have.
// What stage 1 contains comes from the one contents model, nixos/stage1Contents.ts.
import { nodes, unparen, type Definition } from '../nixos/definitions';
import {
  commandOnPath,
  fileBindings,
  hostOpenness,
  PACKAGE_BINARIES,
  packageBinInImage,
  packageText,
  provisionItems,
  resolveInterpolation,
  storePathInImage,
  systemdStage1Contents,
  type Bindings,
  type PackageRef,
  type Stage1Contents,
} from '../nixos/stage1Contents';
import {
  BUSYBOX_APPLETS,
  EXTRA_UTILS,
  MODULE_PROVIDED,
  SCRIPTED_HOOKS,
  SYSTEMD_MODULE_PROVIDED,
  SYSTEMD_STAGE1_SCRIPT_OPTIONS,
} from '../nixos/stage1';
import { analyzeShell, SHELL_BUILTINS, type ShellCommand } from '../shell/analyze';
import { scriptFromString, type ShellScript } from '../shell/source';
import type { FileModel, ProjectModel, Rule, RuleContext } from './types';
import { scriptedStage1Contents, scriptsOf } from './util';

interface CommandRef {
  /** Bare name (`sed-key`), or the basename of a placeholder path. */
  readonly name: string;
  /** For `${pkgs.foo}/bin/foo`: the package and the path below it. */
  readonly pkg?: PackageRef;
  readonly subpath?: string;
  readonly display: string;
}

function commandRef(
  c: ShellCommand,
  script: ShellScript,
  file: FileModel,
  bindings: Bindings,
): CommandRef | 'skip' | undefined {
  const word = c.name;
  if (!word) return undefined;
  const raw = script.text.slice(word.start, word.end);
  const ph = /^__nixI(\d+)__(.*)$/.exec(raw);
  if (ph) {
    const placeholder = script.placeholders[Number(ph[1])];
    if (!placeholder) return 'skip';
    const r = resolveInterpolation(placeholder.node, file, bindings);
    if (!r) return 'skip';
    const path = r.subpath + ph[2]!;
    if (!/^\/(s?bin|libexec|lib)\/[^/]+$/.test(path) && !/^\/bin\//.test(path)) return 'skip';
    const name = path.slice(path.lastIndexOf('/') + 1);
    return { name, pkg: r.pkg, subpath: path, display: `\${${packageText(r.pkg)}}${path}` };
  }
  const value = word.value;
  if (value === undefined || /[$`*?[\]{}~]/.test(value) || value.includes('__nixI')) return 'skip';
  if (value.includes('=')) return 'skip';
  if (value.startsWith('/')) {
    const m = /^\/(?:usr\/)?s?bin\/([^/]+)$/.exec(value);
    return m ? { name: m[1]!, display: value } : 'skip';
  }
  if (value.includes('/')) return 'skip';
  return { name: value, display: value };
}

/**
 * Shell functions a script can call: those defined in any piece of the same definitions (stage-1
 * hooks are pasted into one /init; a unit script may be built from several strings), and those in
 * let-bound strings pasted in with `${helpers}`. `opaque` when pasted-in code cannot be read.
 */
interface KnownFunctions {
  readonly names: Set<string>;
  opaque: boolean;
}

function functionsOf(defs: ReadonlyArray<{ file: FileModel; def: Definition }>): KnownFunctions {
  const known: KnownFunctions = { names: new Set(), opaque: false };
  for (const { file, def } of defs) {
    const bindings = fileBindings(file);
    for (const { script, shell } of scriptsOf(def)) {
      for (const f of shell.functions.keys()) known.names.add(f);
      for (const c of shell.commands) {
        const raw = c.name ? script.text.slice(c.name.start, c.name.end) : '';
        const ph = /^__nixI(\d+)__$/.exec(raw);
        if (!ph) continue;
        // A pasted-in piece of code at command position: read it if it is a let-bound string.
        const p = script.placeholders[Number(ph[1])];
        const inner = p ? unparen(nodes(p.node)[0]) : undefined;
        const name = inner?.kind === 'Ident' ? file.text.slice(inner.start, inner.end) : undefined;
        const bound = name ? unparen(bindings.get(name)) : undefined;
        if (bound && (bound.kind === 'String' || bound.kind === 'IndString')) {
          for (const f of analyzeShell(scriptFromString(bound).text).functions.keys()) known.names.add(f);
        } else if (!p || !resolveInterpolation(p.node, file, bindings)) known.opaque = true;
      }
    }
  }
  return known;
}

interface Check {
  readonly ctx: RuleContext;
  readonly def: Definition;
  readonly functions: KnownFunctions;
  /** Modules the linter could not read (computed when a finding is reported); when any, absence is only a hint. */
  readonly unread: () => readonly string[];
}

function openNote(unread: readonly string[]): string {
  const shown = unread.slice(0, 2).join(', ') + (unread.length > 2 ? `, and ${unread.length - 2} more` : '');
  return ` (The host imports modules the linter could not read — ${shown} — which may provide it; reported as a hint.)`;
}

function report(chk: Check, c: ShellCommand, script: ShellScript, message: string, certain = false): void {
  const { start, end } = script.rangeToFile(c.name!.start, c.name!.end);
  const unread = certain ? [] : chk.unread();
  const open = unread.length > 0;
  chk.ctx.report({
    start,
    end,
    message: open ? message + openNote(unread) : message,
    ...(open ? { severity: 'hint' as const } : {}),
  });
}

function checkScripted(chk: Check, project: ProjectModel): void {
  const prov = scriptedStage1Contents(project);
  const bindings = fileBindings(chk.ctx.file);
  for (const { script, shell } of scriptsOf(chk.def)) {
    if (shell.error) continue;
    for (const c of shell.commands) {
      const ref = commandRef(c, script, chk.ctx.file, bindings);
      if (!ref || ref === 'skip' || ref.pkg) continue; // legacy makeInitrd copies the closure of /init
      const { name } = ref;
      if (SHELL_BUILTINS.has(name) || chk.functions.names.has(name)) continue;
      if (
        BUSYBOX_APPLETS.has(name) ||
        EXTRA_UTILS.has(name) ||
        MODULE_PROVIDED.has(name) ||
        prov.names.has(name)
      )
        continue;
      if (prov.unknownNames || chk.functions.opaque) continue;
      report(
        chk,
        c,
        script,
        `\`${name}\` is not in scripted stage 1: ${chk.def.path.join('.')} runs in /init, whose PATH has only busybox and the ` +
          'extra-utils nixpkgs copies. It fails at boot with "not found". Add it in boot.initrd.extraUtilsCommands ' +
          `(\`copy_bin_and_libs \${pkgs.${name}}/bin/${name}\`), or call it by store path.`,
      );
    }
  }
}

function checkSystemd(chk: Check, prov: Stage1Contents, servicePath: readonly PackageRef[]): void {
  const bindings = fileBindings(chk.ctx.file);
  for (const { script, shell } of scriptsOf(chk.def)) {
    if (shell.error) continue;
    for (const c of shell.commands) {
      const ref = commandRef(c, script, chk.ctx.file, bindings);
      if (!ref || ref === 'skip') continue;
      const { name } = ref;
      if (ref.pkg) {
        const v = storePathInImage(prov, { pkg: ref.pkg, subpath: ref.subpath ?? '' });
        if (v.present !== false) continue;
        if (v.reason === 'wrong-output') {
          report(
            chk,
            c,
            script,
            `\`${ref.display}\` does not exist: ${ref.pkg.name} keeps its programs in its \`bin\` output, and \`\${${packageText(ref.pkg)}}\` ` +
              `is the default output, which has no bin/. Use \`\${pkgs.${ref.pkg.name}.bin}${ref.subpath ?? ''}\` (and provide it in stage 1).`,
            true,
          );
          continue;
        }
        report(
          chk,
          c,
          script,
          `\`${ref.display}\` is not in the systemd stage-1 image: makeInitrdNG copies only boot.initrd.systemd.storePaths, ` +
            'initrdBin, extraBin and contents (with their defaults and what file-system and other NixOS modules add) — it does not ' +
            'follow the closure of the unit script. The unit fails at boot with "No such file or directory". ' +
            `Add \`"${ref.display}"\` to boot.initrd.systemd.storePaths, or ${packageText(ref.pkg)} to boot.initrd.systemd.initrdBin.`,
        );
        continue;
      }
      if (SHELL_BUILTINS.has(name) || chk.functions.names.has(name)) continue;
      const on = commandOnPath(prov, name);
      if (on !== false) continue;
      if (SYSTEMD_MODULE_PROVIDED.has(name) || chk.functions.opaque) continue;
      // The unit's `path = [ pkg ]` puts ${pkg}/bin on PATH: enough when the package's files are in the image.
      const viaPath = servicePath.find((p) => {
        const bins = PACKAGE_BINARIES[p.name];
        return bins === undefined || bins === 'all-busybox' || bins.includes(name) || p.name === name;
      });
      if (viaPath && packageBinInImage(prov, viaPath)) continue;
      if (servicePath.some((p) => PACKAGE_BINARIES[p.name] === undefined && prov.mentioned.has(p.name)))
        continue;
      report(
        chk,
        c,
        script,
        `\`${name}\` is not on PATH in systemd stage 1 (/bin from boot.initrd.systemd.initrdBin and extraBin, with their defaults ` +
          'and what file-system and other NixOS modules add). The unit fails at boot with "command not found". ' +
          (viaPath
            ? `The service's \`path = [ ${packageText(viaPath)} ]\` only sets PATH; it does not copy the package into the initrd. `
            : '') +
          `Add its package to boot.initrd.systemd.initrdBin, or \`boot.initrd.systemd.extraBin.${name} = "\${pkgs.${name}}/bin/${name}";\`.`,
      );
    }
  }
}

export const rule: Rule = {
  id: 'initrd-missing-command',
  severity: 'warning',
  title: 'Command not available in stage 1',
  docs: {
    summary: 'A command in a stage-1 script that the initrd will not contain.',
    why:
      'Stage 1 is a small world. Scripted stage 1 has busybox, the tools stage-1.nix copies into extra-utils (blkid, ' +
      'lvm, dmsetup, mdadm, udev, kmod), what modules copy (ext.nix always copies e2fsck and tune2fs) and what ' +
      '`boot.initrd.extraUtilsCommands` copies with `copy_bin_and_libs`; store paths interpolated into a hook are in ' +
      'the closure of `/init`, which the legacy makeInitrd copies. systemd stage 1 is built by makeInitrdNG, which ' +
      'copies only `boot.initrd.systemd.storePaths` and `contents` (with ELF libraries and symlink targets) — ' +
      '"closures won\'t be consulted". So `${pkgs.sed-key}/bin/sed-key` in a unit script is missing at boot unless a ' +
      "provision holds it, and a service's `path = [ … ]` only sets PATH, it copies nothing. Seed 000: the stage-1 " +
      'unlock service `nvme-hw-key` failed because `sed-key` was missing or mislinked in the initrd, found only after ' +
      'unpacking initrds generation by generation.\n\n' +
      'What counts as present (the contents model, server/src/nixos/stage1Contents.ts, shared with ' +
      '`large-initrd-contents` and `initrd-network-driver`; facts from nixpkgs `nixos/modules/system/boot/systemd/initrd.nix`):\n' +
      '- `/bin` is a buildEnv of `map getBin initrdBin`, default `[ pkgs.bashInteractive pkgs.coreutils cfg.package.kmod ' +
      "cfg.package ]` (cfg.package is the initrd's systemd): bare names of those packages, and their store paths — " +
      "`${pkgs.coreutils}/bin/echo` (nixpkgs' own `panic-on-fail` unit runs it), `${pkgs.systemd}/bin/systemctl`, " +
      '`${pkgs.kmod}/bin/modprobe`. A custom `boot.initrd.systemd.package`/`systemd.package` makes `${pkgs.systemd}/…` unknown.\n' +
      '- `extraBin` defaults `less` (`${pkgs.less}/bin/less`) and `mount`, `umount`, `fsck` from `cfg.package.util-linux` ' +
      '(util-linuxMinimal: **not** the store path of `pkgs.util-linux`, so `${pkgs.util-linux}/bin/umount` needs a provision).\n' +
      '- `storePaths` defaults: `pkgs.runtimeShell`, `"${pkgs.bash}/bin"`, util-linuxMinimal\'s mount/umount/sulogin, ' +
      '`chroot-realpath`. Your `storePaths` items: literal strings, `"${pkg}/bin/x"` files, whole packages (`pkgs.x`, ' +
      '`"${pkgs.x}"`, `with pkgs; [ x y ]`) — a whole package holds every file under it, and a unit\'s `path = [ pkgs.x ]` ' +
      'then finds its programs.\n' +
      '- File-system modules add their tools to initrdBin when the type is needed in stage 1 (`nixos/modules/tasks/filesystems/`: ' +
      'ext.nix e2fsprogs, xfs.nix xfsprogs.bin, vfat.nix dosfstools, f2fs.nix f2fs-tools, jfs.nix jfsutils, reiserfs.nix ' +
      'reiserfsprogs; btrfs.nix btrfs-progs whenever btrfs is used). "Needed" = a file system on a path stage 1 mounts ' +
      '(`/`, `/nix`, `/nix/store`, `/var`, `/var/log`, `/var/lib`, `/var/lib/nixos`, `/etc`, `/usr`, per nixos/lib/utils.nix) ' +
      'or with `neededForBoot = true`, or `boot.initrd.supportedFilesystems`. `clevis.nix` adds clevis and curl to ' +
      'extraBin and clevis, jose, curl and tpm2-tools programs to storePaths.\n' +
      '- lvm2 keeps its programs in its `bin` output: `${pkgs.lvm2}/bin/lvm` does not exist on any host (reported even ' +
      'when lvm2 is provided); `${pkgs.lvm2.bin}/bin/lvm` is present when lvm2 is in initrdBin.\n\n' +
      'When it stays silent: builtins; shell functions defined in the same script, in another string of the same ' +
      'definition, in another scripted hook (they all become one `/init`) or in a let-bound helper pasted in with ' +
      '`${helpers}`; a script that pastes in code it cannot read; a command or package it cannot resolve (a variable ' +
      'command name, an unknown package in initrdBin, a computed provision list, a `/bin` in `contents`); programs that ' +
      'NixOS modules add when their feature is on (cryptsetup, zfs, lvm, mdadm, sshd, …); file-system tools when the ' +
      'file systems are generated (disko) or computed. On a host that imports modules the linter cannot read (a flake ' +
      "input's module, a file outside the linted set, a computed imports list, a nixpkgs module it does not model) it " +
      'reports a hint, not a warning, naming what it could not read — except for `${pkgs.lvm2}/bin/…`, which is wrong everywhere.',
    bad: "boot.initrd.systemd.services.nvme-hw-key = {\n  wantedBy = [ \"initrd.target\" ];\n  script = ''\n    ${pkgs.sed-key}/bin/sed-key unlock /dev/nvme0n1 -\n  '';\n};",
    good: 'boot.initrd.systemd.storePaths = [ "${pkgs.sed-key}/bin/sed-key" ];\nboot.initrd.systemd.services.nvme-hw-key = {\n  wantedBy = [ "initrd.target" ];\n  script = \'\'\n    ${pkgs.sed-key}/bin/sed-key unlock /dev/nvme0n1 -\n  \'\';\n};',
    fix:
      'Scripted stage 1: copy the binary in `boot.initrd.extraUtilsCommands` with `copy_bin_and_libs`. systemd stage 1: ' +
      'add the package to `boot.initrd.systemd.initrdBin`, or the file to `boot.initrd.systemd.storePaths` / `extraBin`. ' +
      'Check the result with "Open Initrd in Explorer" or `nixboot initrd ls`.',
    references: [
      'nixpkgs nixos/modules/system/boot/stage-1.nix (extraUtils, makeInitrd)',
      'nixpkgs nixos/modules/system/boot/systemd/initrd.nix (initrdBin, extraBin and storePaths defaults, makeInitrdNG)',
      'nixpkgs nixos/modules/tasks/filesystems/{ext,xfs,vfat,f2fs,jfs,reiserfs,btrfs}.nix (boot.initrd.systemd.initrdBin)',
      'nixpkgs nixos/modules/system/boot/clevis.nix (extraBin, storePaths)',
      'nixpkgs nixos/lib/utils.nix (pathsNeededForBoot)',
      'nixpkgs pkgs/build-support/kernel/make-initrd-ng/README.md',
    ],
  },
  check(ctx) {
    const stage = ctx.project.stageOne.systemd;
    const scripted = stage === true ? [] : SCRIPTED_HOOKS.flatMap((h) => ctx.definitions(h.pattern));
    const units = stage === false ? [] : SYSTEMD_STAGE1_SCRIPT_OPTIONS.flatMap((o) => ctx.definitions(o));
    if (scripted.length === 0 && units.length === 0) return;
    const project = ctx.project;
    const unread = (): readonly string[] => hostOpenness(project).unread;
    if (scripted.length > 0) {
      // Every scripted hook is pasted into the one /init: a function defined in one is known in all.
      const functions = functionsOf(SCRIPTED_HOOKS.flatMap((h) => project.definitions(h.pattern)));
      for (const def of scripted) checkScripted({ ctx, def, functions, unread }, project);
    }
    if (units.length > 0) {
      const prov = systemdStage1Contents(project);
      for (const def of units) {
        const service = def.path.slice(0, 5).join('.');
        const functions = functionsOf(project.definitions(def.path.join('.')));
        const servicePath = project
          .definitions(`${service}.path`)
          .flatMap(({ file, def: d }) =>
            provisionItems(d.value, file, fileBindings(file)).items.flatMap((it) =>
              it.resolved ? [it.resolved.pkg] : [],
            ),
          );
        checkSystemd({ ctx, def, functions, unread }, prov, servicePath);
      }
    }
  },
};
