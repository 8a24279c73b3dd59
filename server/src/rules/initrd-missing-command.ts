// Rule initrd-missing-command: a command in a stage-1 script that stage 1 will not have.
import { attrName, attrpathParts, bindingParts, bindingsOf, nodes, unparen, type Definition } from '../nixos/definitions';
import {
  BUSYBOX_APPLETS,
  EXTRA_UTILS,
  MODULE_PROVIDED,
  SCRIPTED_HOOKS,
  SYSTEMD_MODULE_PROVIDED,
  SYSTEMD_STAGE1_DEFAULT_COMMANDS,
  SYSTEMD_STAGE1_SCRIPT_OPTIONS,
} from '../nixos/stage1';
import { SHELL_BUILTINS, type ShellCommand } from '../shell/analyze';
import { PLACEHOLDER_RE, type ShellScript } from '../shell/source';
import type { SyntaxNode } from '../syntax/tree';
import type { FileModel, ProjectModel, Rule, RuleContext } from './types';
import { dottedName, listItems, scriptsOf, stringPieces } from './util';

/** Binaries of packages commonly put into initrdBin (so a bare name can be checked). */
const PACKAGE_BINARIES: Record<string, readonly string[] | 'all-busybox'> = {
  busybox: 'all-busybox',
  coreutils: [...SYSTEMD_STAGE1_DEFAULT_COMMANDS],
  'util-linux': ['blkid', 'blkdiscard', 'blockdev', 'findmnt', 'lsblk', 'mount', 'umount', 'losetup', 'mkswap', 'swapon', 'swapoff', 'wipefs', 'sfdisk', 'fdisk', 'partx', 'flock', 'setsid', 'switch_root', 'nsenter', 'unshare', 'mountpoint', 'dmesg', 'lscpu', 'hwclock', 'fsck', 'agetty', 'kill', 'logger', 'uuidgen'],
  utillinux: ['blkid', 'findmnt', 'lsblk', 'mount', 'umount', 'losetup', 'mkswap', 'swapon', 'swapoff', 'wipefs', 'sfdisk', 'fdisk', 'flock', 'setsid', 'switch_root', 'nsenter', 'unshare', 'mountpoint', 'dmesg'],
  e2fsprogs: ['e2fsck', 'fsck.ext2', 'fsck.ext3', 'fsck.ext4', 'mke2fs', 'mkfs.ext2', 'mkfs.ext3', 'mkfs.ext4', 'resize2fs', 'tune2fs', 'dumpe2fs', 'e2label', 'debugfs'],
  dosfstools: ['mkfs.fat', 'mkfs.vfat', 'fsck.fat', 'fsck.vfat', 'dosfsck', 'mkdosfs', 'fatlabel'],
  iproute2: ['ip', 'ss', 'tc', 'bridge'],
  cryptsetup: ['cryptsetup', 'veritysetup', 'integritysetup'],
  gnugrep: ['grep', 'egrep', 'fgrep'],
  gnused: ['sed'],
  gawk: ['awk', 'gawk'],
  findutils: ['find', 'xargs'],
  procps: ['ps', 'pgrep', 'pkill', 'kill', 'free', 'top', 'uptime', 'sysctl', 'pidof'],
  kmod: ['kmod', 'modprobe', 'insmod', 'rmmod', 'lsmod', 'modinfo', 'depmod'],
  bash: ['bash', 'sh'],
  bashInteractive: ['bash', 'sh'],
  jq: ['jq'],
  curl: ['curl'],
  openssh: ['ssh', 'sshd', 'ssh-keygen', 'scp'],
  'tpm2-tools': ['tpm2', 'tpm2_unseal', 'tpm2_pcrread', 'tpm2_createprimary', 'tpm2_load'],
  zfs: ['zfs', 'zpool', 'zdb', 'mount.zfs'],
  'btrfs-progs': ['btrfs', 'mkfs.btrfs', 'fsck.btrfs', 'btrfsck'],
  lvm2: ['lvm', 'vgchange', 'lvchange', 'pvscan', 'vgscan', 'lvscan', 'dmsetup'],
  mdadm: ['mdadm', 'mdmon'],
  keyutils: ['keyctl'],
  'nvme-cli': ['nvme'],
  'sedutil': ['sedutil-cli'],
  gnutar: ['tar'],
  gzip: ['gzip', 'gunzip', 'zcat'],
  zstd: ['zstd', 'unzstd', 'zstdcat'],
  xz: ['xz', 'unxz', 'xzcat', 'lzma'],
  less: ['less'],
  systemd: [...SYSTEMD_STAGE1_DEFAULT_COMMANDS],
};

/** The last attribute of `pkgs.foo` / `pkgs.linuxPackages.foo`. */
function packageName(expr: string): string {
  return expr.slice(expr.lastIndexOf('.') + 1);
}

function binariesOf(pkg: string): readonly string[] | 'all-busybox' | undefined {
  return PACKAGE_BINARIES[packageName(pkg)];
}

/** Let-bound names of a file, looked up by name. */
interface Bindings {
  get(name: string): SyntaxNode | undefined;
}

const bindingsCache = new WeakMap<FileModel, Bindings>();

/**
 * Let-bound names of a file with one unambiguous value each (for `${sedKeyBin}`). The tree walk
 * runs on the first lookup: most files never need it, and a re-lint after each keystroke should
 * not pay for it.
 */
function fileBindings(file: FileModel): Bindings {
  const hit = bindingsCache.get(file);
  if (hit) return hit;
  let map: Map<string, SyntaxNode> | undefined;
  const lazy: Bindings = { get: (name) => (map ??= collectBindings(file)).get(name) };
  bindingsCache.set(file, lazy);
  return lazy;
}

function collectBindings(file: FileModel): Map<string, SyntaxNode> {
  const map = new Map<string, SyntaxNode>();
  const ambiguous = new Set<string>();
  const visit = (n: SyntaxNode): void => {
    if (n.kind === 'LetIn' || n.kind === 'LegacyLet') {
      for (const b of bindingsOf(n)) {
        if (b.kind !== 'Binding') continue;
        const { attrpath, value } = bindingParts(b);
        const parts = attrpath ? attrpathParts(attrpath) : [];
        const name = parts.length === 1 ? attrName(parts[0]!) : undefined;
        if (!name || !value) continue;
        if (map.has(name)) ambiguous.add(name);
        map.set(name, value);
      }
    }
    if (n.kind === 'String' || n.kind === 'IndString') return;
    for (const c of n.children) if (c.type === 'node') visit(c);
  };
  visit(file.root);
  for (const a of ambiguous) map.delete(a);
  return map;
}

/** What a `${…}` interpolation refers to: a package expression like `pkgs.sed-key` and a sub-path. */
interface Resolved {
  readonly pkg: string;
  readonly subpath: string;
}

function resolveInterpolation(interp: SyntaxNode, file: FileModel, bindings: Bindings, depth = 0): Resolved | undefined {
  const inner = unparen(nodes(interp)[0]);
  if (!inner || depth > 4) return undefined;
  const dotted = dottedName(inner, file.text);
  if (dotted && !dotted.includes('.')) {
    // A let-bound name: follow it to a string like "${pkgs.sed-key}/bin/sed-key" or a package.
    const bound = bindings.get(dotted);
    if (!bound) return undefined;
    const b = unparen(bound);
    if (b && (b.kind === 'String' || b.kind === 'IndString')) {
      const interps = nodes(b).filter((c) => c.kind === 'Interpolation');
      if (interps.length !== 1) return undefined;
      const r = resolveInterpolation(interps[0]!, file, bindings, depth + 1);
      if (!r) return undefined;
      const closing = b.children[b.children.length - 1]!;
      const after = file.text.slice(interps[0]!.end, closing.start);
      return { pkg: r.pkg, subpath: r.subpath + after };
    }
    const d = b ? dottedName(b, file.text) : undefined;
    return d && d.includes('.') ? { pkg: d, subpath: '' } : undefined;
  }
  if (dotted && dotted.includes('.')) return { pkg: dotted, subpath: '' };
  return undefined;
}

interface Provisions {
  /** Bare command names that are on PATH. */
  readonly names: Set<string>;
  /** Package expressions whose store paths are in the image (`pkgs.foo`). */
  readonly packages: Set<string>;
  /** Something was provided that we cannot resolve: stay silent about bare names. */
  unknownNames: boolean;
  /** busybox is in initrdBin: every applet is there. */
  busybox: boolean;
}

function addPackage(p: Provisions, pkg: string): void {
  p.packages.add(pkg);
  const bins = binariesOf(pkg);
  if (bins === 'all-busybox') p.busybox = true;
  else if (bins) for (const b of bins) p.names.add(b);
  else p.names.add(packageName(pkg)); // a package usually provides a binary of its own name
  if (!bins) p.unknownNames = true;
}

/** Package expressions referenced by an expression (items of a list, or interpolations in strings). */
function referencedPackages(value: SyntaxNode, file: FileModel, bindings: Bindings, depth = 0): { pkgs: string[]; unresolved: boolean } {
  const pkgs: string[] = [];
  let unresolved = false;
  const items = listItems(value);
  for (const item of items.length > 0 ? items : [value]) {
    const d = dottedName(item, file.text);
    if (d && d.includes('.')) {
      pkgs.push(d);
      continue;
    }
    const bound = d ? bindings.get(d) : undefined;
    if (bound && depth < 4) {
      const r = referencedPackages(bound, file, bindings, depth + 1);
      pkgs.push(...r.pkgs);
      if (r.unresolved) unresolved = true;
      continue;
    }
    const strings = stringPieces(item);
    if (strings.length === 0) {
      unresolved = true;
      continue;
    }
    for (const s of strings) {
      const interps = nodes(s).filter((c) => c.kind === 'Interpolation');
      if (interps.length === 0) unresolved = true;
      for (const i of interps) {
        const r = resolveInterpolation(i, file, bindings);
        if (r) pkgs.push(r.pkg);
        else unresolved = true;
      }
    }
  }
  return { pkgs, unresolved };
}

const systemdCache = new WeakMap<ProjectModel, Provisions>();
const scriptedCache = new WeakMap<ProjectModel, Provisions>();

/** What systemd stage 1 gets from initrdBin, extraBin, storePaths and contents (once per project). */
function systemdProvisions(project: ProjectModel): Provisions {
  const hit = systemdCache.get(project);
  if (hit) return hit;
  const p: Provisions = { names: new Set(), packages: new Set(), unknownNames: false, busybox: false };
  for (const { file, def } of project.definitions('boot.initrd.systemd.initrdBin')) {
    const r = referencedPackages(def.value, file, fileBindings(file));
    for (const pkg of r.pkgs) addPackage(p, pkg);
    if (r.unresolved) p.unknownNames = true;
  }
  for (const { file, def } of project.definitions('boot.initrd.systemd.extraBin.*')) {
    p.names.add(def.path[def.path.length - 1]!);
    for (const pkg of referencedPackages(def.value, file, fileBindings(file)).pkgs) p.packages.add(pkg);
  }
  for (const { def } of project.definitions('boot.initrd.systemd.extraBin')) {
    const set = unparen(def.value);
    if (set?.kind !== 'AttrSet') p.unknownNames = true;
  }
  for (const { file, def } of project.definitions('boot.initrd.systemd.storePaths')) {
    const r = referencedPackages(def.value, file, fileBindings(file));
    for (const pkg of r.pkgs) p.packages.add(pkg);
  }
  for (const { def } of project.definitions('boot.initrd.systemd.contents.*')) {
    const target = def.path[def.path.length - 1]!;
    const m = /^\/(?:usr\/)?s?bin\/([^/]+)$/.exec(target);
    if (m) p.names.add(m[1]!);
  }
  for (const { file, def } of project.definitions('boot.initrd.systemd.contents.*.source')) {
    for (const pkg of referencedPackages(def.value, file, fileBindings(file)).pkgs) p.packages.add(pkg);
  }
  systemdCache.set(project, p);
  return p;
}

/** What extraUtilsCommands copies into scripted stage 1 (once per project). */
function scriptedProvisions(project: ProjectModel): Provisions {
  const hit = scriptedCache.get(project);
  if (hit) return hit;
  const p: Provisions = { names: new Set(), packages: new Set(), unknownNames: false, busybox: true };
  for (const { def } of project.definitions('boot.initrd.extraUtilsCommands')) {
    for (const { script, shell } of scriptsOf(def)) {
      if (shell.error) p.unknownNames = true;
      for (const c of shell.commands) {
        const name = c.name?.value;
        if (name !== 'copy_bin_and_libs' && name !== 'cp' && name !== 'ln') continue;
        for (const arg of c.args.slice(1)) {
          const raw = arg.value ?? script.text.slice(arg.start, arg.end);
          if (raw.startsWith('-') || raw.startsWith('$out')) continue;
          if (/[*?$]/.test(raw.replace(PLACEHOLDER_RE, ''))) p.unknownNames = true;
          const base = raw.slice(raw.lastIndexOf('/') + 1);
          if (base && !/[*?$]/.test(base)) p.names.add(base);
        }
      }
    }
  }
  scriptedCache.set(project, p);
  return p;
}

interface CommandRef {
  /** Bare name (`sed-key`), or the basename of a placeholder path. */
  readonly name: string;
  /** For `${pkgs.foo}/bin/foo`: the package expression. */
  readonly pkg?: string;
  readonly display: string;
}

function commandRef(c: ShellCommand, script: ShellScript, file: FileModel, bindings: Bindings): CommandRef | 'skip' | undefined {
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
    return { name, pkg: r.pkg, display: `\${${r.pkg}}${path}` };
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

function checkScript(
  ctx: RuleContext,
  def: Definition,
  mode: 'scripted' | 'systemd',
  prov: Provisions,
  bindings: Bindings,
  servicePath: string[] | undefined,
): void {
  for (const { script, shell } of scriptsOf(def)) {
    if (shell.error) continue;
    for (const c of shell.commands) {
      const ref = commandRef(c, script, ctx.file, bindings);
      if (!ref || ref === 'skip') continue;
      const { name } = ref;
      if (SHELL_BUILTINS.has(name) || shell.functions.has(name)) continue;
      let missing: boolean;
      if (ref.pkg) {
        if (mode === 'scripted') continue; // legacy makeInitrd copies the closure of /init
        missing = !prov.packages.has(ref.pkg) && ![...prov.packages].some((p) => packageName(p) === packageName(ref.pkg!));
      } else if (mode === 'scripted') {
        missing = !(BUSYBOX_APPLETS.has(name) || EXTRA_UTILS.has(name) || MODULE_PROVIDED.has(name) || prov.names.has(name)) && !prov.unknownNames;
      } else {
        missing =
          !(SYSTEMD_STAGE1_DEFAULT_COMMANDS.has(name) || SYSTEMD_MODULE_PROVIDED.has(name) || prov.names.has(name) || (prov.busybox && BUSYBOX_APPLETS.has(name))) &&
          !prov.unknownNames;
      }
      if (!missing) continue;
      const { start, end } = script.rangeToFile(c.name!.start, c.name!.end);
      const option = def.path.join('.');
      let message: string;
      if (mode === 'scripted') {
        message =
          `\`${name}\` is not in scripted stage 1: ${option} runs in /init, whose PATH has only busybox and the ` +
          'extra-utils nixpkgs copies. It fails at boot with "not found". Add it in boot.initrd.extraUtilsCommands ' +
          `(\`copy_bin_and_libs \${pkgs.${name}}/bin/${name}\`), or call it by store path.`;
      } else if (ref.pkg) {
        message =
          `\`${ref.display}\` is not in the systemd stage-1 image: makeInitrdNG copies only boot.initrd.systemd.storePaths, ` +
          'initrdBin, extraBin and contents — it does not follow the closure of the unit script. The unit fails at boot with ' +
          `"No such file or directory". Add \`"${ref.display}"\` to boot.initrd.systemd.storePaths, or ${ref.pkg} to boot.initrd.systemd.initrdBin.`;
      } else {
        const viaPath = servicePath?.find((p) => packageName(p) === name || binariesOf(p) !== undefined);
        message =
          `\`${name}\` is not on PATH in systemd stage 1 (/bin from boot.initrd.systemd.initrdBin and extraBin). The unit fails at ` +
          'boot with "command not found". ' +
          (viaPath ? `The service's \`path = [ ${viaPath} ]\` only sets PATH; it does not copy the package into the initrd. ` : '') +
          `Add its package to boot.initrd.systemd.initrdBin, or \`boot.initrd.systemd.extraBin.${name} = "\${pkgs.${name}}/bin/${name}";\`.`;
      }
      ctx.report({ start, end, message });
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
      'lvm, dmsetup, mdadm, udev, kmod) and what `boot.initrd.extraUtilsCommands` copies with `copy_bin_and_libs`; ' +
      'store paths interpolated into a hook are in the closure of `/init`, which the legacy makeInitrd copies. ' +
      'systemd stage 1 is built by makeInitrdNG, which copies only `boot.initrd.systemd.storePaths`, `initrdBin` ' +
      '(default bashInteractive, coreutils, kmod, systemd), `extraBin` and `contents` — "closures won\'t be consulted". ' +
      'So a bare `sed-key`, or `${pkgs.sed-key}/bin/sed-key` in a unit script, is missing at boot, and a service\'s ' +
      '`path = [ … ]` only sets PATH, it copies nothing. Seed 000: the stage-1 unlock service `nvme-hw-key` failed ' +
      'because `sed-key` was missing or mislinked in the initrd, found only after unpacking initrds generation by ' +
      'generation. The rule stays silent when a command cannot be resolved (an unknown package in initrdBin, a ' +
      'variable command name) rather than guess; builtins and functions defined in the script are never flagged.',
    bad:
      'boot.initrd.systemd.services.nvme-hw-key = {\n  wantedBy = [ "initrd.target" ];\n  script = \'\'\n    ${pkgs.sed-key}/bin/sed-key unlock /dev/nvme0n1 -\n  \'\';\n};',
    good:
      'boot.initrd.systemd.storePaths = [ "${pkgs.sed-key}/bin/sed-key" ];\nboot.initrd.systemd.services.nvme-hw-key = {\n  wantedBy = [ "initrd.target" ];\n  script = \'\'\n    ${pkgs.sed-key}/bin/sed-key unlock /dev/nvme0n1 -\n  \'\';\n};',
    fix:
      'Scripted stage 1: copy the binary in `boot.initrd.extraUtilsCommands` with `copy_bin_and_libs`. systemd stage 1: ' +
      'add the package to `boot.initrd.systemd.initrdBin`, or the file to `boot.initrd.systemd.storePaths` / `extraBin`. ' +
      'Check the result with "Open Initrd in Explorer" or `nixboot initrd ls`.',
    references: [
      'nixpkgs nixos/modules/system/boot/stage-1.nix (extraUtils, makeInitrd)',
      'nixpkgs nixos/modules/system/boot/systemd/initrd.nix (initrdBin, extraBin, storePaths, makeInitrdNG)',
      'nixpkgs pkgs/build-support/kernel/make-initrd-ng/README.md',
    ],
  },
  check(ctx) {
    const stage = ctx.project.stageOne.systemd;
    const scripted = stage === true ? [] : SCRIPTED_HOOKS.flatMap((h) => ctx.definitions(h.pattern));
    const units = stage === false ? [] : SYSTEMD_STAGE1_SCRIPT_OPTIONS.flatMap((o) => ctx.definitions(o));
    if (scripted.length === 0 && units.length === 0) return;
    const bindings = fileBindings(ctx.file);
    if (scripted.length > 0) {
      const prov = scriptedProvisions(ctx.project);
      for (const def of scripted) checkScript(ctx, def, 'scripted', prov, bindings, undefined);
    }
    if (units.length > 0) {
      const prov = systemdProvisions(ctx.project);
      for (const def of units) {
        const service = def.path.slice(0, 5).join('.');
        const pathDefs = ctx.project.definitions(`${service}.path`);
        const servicePath = pathDefs.flatMap(({ file, def: d }) => referencedPackages(d.value, file, fileBindings(file)).pkgs);
        checkScript(ctx, def, 'systemd', prov, bindings, servicePath);
      }
    }
  },
};
