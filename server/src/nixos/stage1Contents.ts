// What stage 1 contains for one host: "provisions as data". Every rule that asks "is X in the
// initrd?" (initrd-missing-command, large-initrd-contents, initrd-network-driver) reads this one
// model, so two rules can never disagree about the same store path or command.
//
// Facts, read from nixpkgs (cited in the rules' docs):
// - systemd stage 1 (nixos/modules/system/boot/systemd/initrd.nix) is built by makeInitrdNG from
//   `boot.initrd.systemd.storePaths` (plus `contents`' sources); closures are not followed, ELF
//   libraries and symlink targets are. `/bin` is a buildEnv of `map getBin cfg.initrdBin` (bin/ and
//   sbin/ linked) plus `extraBin` symlinks, so `${pkgs.coreutils}/bin/echo` is in the image when
//   coreutils is in initrdBin (nixpkgs' own panic-on-fail unit runs it). Defaults:
//   initrdBin = [ pkgs.bashInteractive pkgs.coreutils cfg.package.kmod cfg.package ];
//   extraBin = { less = "${pkgs.less}/bin/less"; mount/umount/fsck = "${cfg.package.util-linux}/bin/…" }
//   (util-linuxMinimal: not the store path of pkgs.util-linux); storePaths include
//   `pkgs.runtimeShell`, `"${pkgs.bash}/bin"`, `${cfg.package.util-linux}/bin/{mount,umount,sulogin}`,
//   `${pkgs.glibc}/lib/libnss_files.so.2`, `${pkgs.chroot-realpath}/bin/chroot-realpath`.
// - nixos/modules/tasks/filesystems/*.nix add their tools to initrdBin when the type is needed in
//   stage 1 (`boot.initrd.supportedFilesystems`, which filesystems.nix fills from the file systems
//   needed for boot): ext2/3/4 → e2fsprogs, xfs → xfsprogs.bin, vfat → dosfstools, f2fs →
//   f2fs-tools, jfs → jfsutils, reiserfs → reiserfsprogs; btrfs.nix adds btrfs-progs whenever btrfs
//   is used at all (in stage 1 or 2). Under scripted stage 1 ext.nix always copies e2fsck and
//   tune2fs (and fsck.ext2/3/4 links) into extra-utils.
// - nixos/modules/system/boot/clevis.nix (systemd): extraBin clevis and curl, storePaths
//   `cfg.package` (whole) and jose/curl/tpm2-tools programs.
// - lvm2 keeps its programs in its `bin` output: `${pkgs.lvm2}/bin/lvm` does not exist,
//   `${pkgs.lvm2.bin}/bin/lvm` does (initrdBin's `getBin` picks the bin output).
// - profiles/qemu-guest.nix adds virtio_net (and virtio_pci, virtio_blk, …) to
//   availableKernelModules.
import type { FileModel, ProjectModel } from '../rules/types';
import type { SyntaxNode } from '../syntax/tree';
import {
  applyChain,
  attrName,
  attrpathParts,
  bindingParts,
  bindingsOf,
  calleeName,
  identName,
  MODULE_LIST_WORD,
  moduleListOf,
  nodes,
  tokens,
  unparen,
} from './definitions';
import { boolOf, items as listItems, kernelModuleNames, plainString } from './options-query';
import { BUSYBOX_APPLETS, SYSTEMD_STAGE1_DEFAULT_COMMANDS } from './stage1';

/** Dotted source text of a Select/Ident expression like `pkgs.sed-key` (undefined otherwise). */
export function dottedName(n: SyntaxNode, text: string): string | undefined {
  const u = unparen(n);
  if (!u) return undefined;
  if (u.kind === 'Ident') return identName(u);
  if (u.kind === 'Select' && !u.children.some((c) => c.type === 'token' && c.kind === 'kw_or')) {
    const src = text.slice(u.start, u.end).replace(/\s+/g, '');
    return /^[A-Za-z_][\w'-]*(\.[A-Za-z_][\w'-]*|\."[^"$]*")*$/.test(src) ? src.replace(/"/g, '') : undefined;
  }
  return undefined;
}

/** Mount points stage 1 mounts itself (nixpkgs nixos/lib/utils.nix pathsNeededForBoot). */
export const PATHS_NEEDED_FOR_BOOT: readonly string[] = [
  '/',
  '/nix',
  '/nix/store',
  '/var',
  '/var/log',
  '/var/lib',
  '/var/lib/nixos',
  '/etc',
  '/usr',
];

/** util-linux's programs (util-linuxMinimal has a few more). */
const UTIL_LINUX: readonly string[] = [
  'blkid',
  'findmnt',
  'lsblk',
  'mount',
  'umount',
  'losetup',
  'mkswap',
  'swapon',
  'swapoff',
  'wipefs',
  'sfdisk',
  'fdisk',
  'flock',
  'setsid',
  'switch_root',
  'nsenter',
  'unshare',
  'mountpoint',
  'dmesg',
];

/** Programs of packages commonly put into initrdBin/storePaths, so a bare name can be checked. */
export const PACKAGE_BINARIES: Readonly<Record<string, readonly string[] | 'all-busybox'>> = {
  busybox: 'all-busybox',
  coreutils: [...SYSTEMD_STAGE1_DEFAULT_COMMANDS],
  'util-linux': [
    'blkid',
    'blkdiscard',
    'blockdev',
    'findmnt',
    'lsblk',
    'mount',
    'umount',
    'losetup',
    'mkswap',
    'swapon',
    'swapoff',
    'wipefs',
    'sfdisk',
    'fdisk',
    'partx',
    'flock',
    'setsid',
    'switch_root',
    'nsenter',
    'unshare',
    'mountpoint',
    'dmesg',
    'lscpu',
    'hwclock',
    'fsck',
    'agetty',
    'kill',
    'logger',
    'uuidgen',
    'sulogin',
    'script',
    'rename',
    'chroot',
  ],
  utillinux: UTIL_LINUX,
  'util-linuxMinimal': [...UTIL_LINUX, 'fsck', 'sulogin'],
  e2fsprogs: [
    'e2fsck',
    'fsck.ext2',
    'fsck.ext3',
    'fsck.ext4',
    'mke2fs',
    'mkfs.ext2',
    'mkfs.ext3',
    'mkfs.ext4',
    'resize2fs',
    'tune2fs',
    'dumpe2fs',
    'e2label',
    'debugfs',
    'e4defrag',
    'filefrag',
    'badblocks',
    'chattr',
    'lsattr',
    'e2image',
    'e2freefrag',
    'mklost+found',
  ],
  dosfstools: [
    'mkfs.fat',
    'mkfs.vfat',
    'mkfs.msdos',
    'fsck.fat',
    'fsck.vfat',
    'fsck.msdos',
    'dosfsck',
    'mkdosfs',
    'fatlabel',
    'dosfslabel',
  ],
  xfsprogs: [
    'mkfs.xfs',
    'fsck.xfs',
    'xfs_repair',
    'xfs_growfs',
    'xfs_admin',
    'xfs_db',
    'xfs_info',
    'xfs_io',
    'xfs_freeze',
    'xfs_quota',
    'xfs_metadump',
  ],
  'f2fs-tools': [
    'mkfs.f2fs',
    'fsck.f2fs',
    'resize.f2fs',
    'defrag.f2fs',
    'dump.f2fs',
    'sload.f2fs',
    'f2fscrypt',
  ],
  jfsutils: ['fsck.jfs', 'jfs_fsck', 'mkfs.jfs', 'jfs_mkfs', 'jfs_tune', 'jfs_debugfs'],
  reiserfsprogs: [
    'reiserfsck',
    'fsck.reiserfs',
    'mkfs.reiserfs',
    'mkreiserfs',
    'reiserfstune',
    'resize_reiserfs',
    'debugreiserfs',
  ],
  iproute2: ['ip', 'ss', 'tc', 'bridge'],
  cryptsetup: ['cryptsetup', 'veritysetup', 'integritysetup'],
  gnugrep: ['grep', 'egrep', 'fgrep'],
  gnused: ['sed'],
  gawk: ['awk', 'gawk'],
  findutils: ['find', 'xargs'],
  procps: ['ps', 'pgrep', 'pkill', 'kill', 'free', 'top', 'uptime', 'sysctl', 'pidof', 'watch'],
  kmod: ['kmod', 'modprobe', 'insmod', 'rmmod', 'lsmod', 'modinfo', 'depmod'],
  bash: ['bash', 'sh'],
  bashInteractive: ['bash', 'sh'],
  jq: ['jq'],
  curl: ['curl'],
  openssh: ['ssh', 'sshd', 'ssh-keygen', 'scp', 'sftp', 'ssh-add', 'ssh-agent'],
  'tpm2-tools': [
    'tpm2',
    'tpm2_unseal',
    'tpm2_pcrread',
    'tpm2_createprimary',
    'tpm2_load',
    'tpm2_flushcontext',
    'tpm2_getrandom',
  ],
  zfs: ['zfs', 'zpool', 'zdb', 'mount.zfs', 'zed', 'zstream'],
  'btrfs-progs': [
    'btrfs',
    'mkfs.btrfs',
    'fsck.btrfs',
    'btrfsck',
    'btrfstune',
    'btrfs-image',
    'btrfs-convert',
  ],
  lvm2: [
    'lvm',
    'vgchange',
    'lvchange',
    'pvscan',
    'vgscan',
    'lvscan',
    'dmsetup',
    'lvcreate',
    'lvremove',
    'lvs',
    'vgs',
    'pvs',
    'vgcreate',
    'pvcreate',
    'lvextend',
    'lvresize',
  ],
  mdadm: ['mdadm', 'mdmon'],
  keyutils: ['keyctl'],
  'nvme-cli': ['nvme'],
  sedutil: ['sedutil-cli'],
  gnutar: ['tar'],
  gzip: ['gzip', 'gunzip', 'zcat'],
  zstd: ['zstd', 'unzstd', 'zstdcat'],
  xz: ['xz', 'unxz', 'xzcat', 'lzma'],
  less: ['less'],
  systemd: [...SYSTEMD_STAGE1_DEFAULT_COMMANDS],
  clevis: [
    'clevis',
    'clevis-decrypt',
    'clevis-decrypt-tpm2',
    'clevis-decrypt-tang',
    'clevis-decrypt-sss',
    'clevis-encrypt-tpm2',
    'clevis-luks-unlock',
  ],
  jose: ['jose'],
  iputils: ['ping', 'tracepath', 'arping'],
  kbd: ['loadkeys', 'setfont', 'chvt', 'kbd_mode', 'setleds'],
  parted: ['parted', 'partprobe'],
};

/**
 * Packages whose default output (the one `${pkgs.X}` names) has no bin/: the programs are in the
 * `bin` output. nixpkgs pkgs/os-specific/linux/lvm2: outputs = [ "out" "bin" "dev" "man" ].
 */
const PROGRAMS_IN_BIN_OUTPUT: ReadonlySet<string> = new Set(['lvm2']);

/**
 * File-system types whose nixpkgs module adds a package to systemd stage 1's initrdBin when the
 * type is needed in stage 1 (nixos/modules/tasks/filesystems/<module>.nix).
 */
const FS_INITRD_PACKAGES: ReadonlyArray<{
  types: readonly string[];
  pkg: string;
  module: string;
  alsoStage2?: boolean;
}> = [
  { types: ['ext2', 'ext3', 'ext4'], pkg: 'e2fsprogs', module: 'ext.nix' },
  { types: ['xfs'], pkg: 'xfsprogs', module: 'xfs.nix' },
  { types: ['vfat'], pkg: 'dosfstools', module: 'vfat.nix' },
  { types: ['f2fs'], pkg: 'f2fs-tools', module: 'f2fs.nix' },
  { types: ['jfs'], pkg: 'jfsutils', module: 'jfs.nix' },
  { types: ['reiserfs'], pkg: 'reiserfsprogs', module: 'reiserfs.nix' },
  { types: ['btrfs'], pkg: 'btrfs-progs', module: 'btrfs.nix', alsoStage2: true },
];

/** A package expression, normalised: `pkgs.lvm2.bin` → { name: 'lvm2', output: 'bin' }. */
export interface PackageRef {
  readonly name: string;
  /** An explicit output (`.bin`, `.out`, `.lib`); undefined = the default output. */
  readonly output?: string;
}

const OUTPUTS = new Set(['bin', 'out', 'lib', 'dev', 'man']);
const INITRD_SYSTEMD = new Set([
  'cfg.package',
  'config.boot.initrd.systemd.package',
  'config.systemd.package',
  'config.boot.initrd.systemd.package.out',
]);

/** `pkgs.foo`, `pkgs.foo.bin`, `config.boot.kernelPackages.foo`, `config.boot.zfs.package` → a package, or undefined. */
function packageRef(dotted: string): PackageRef | undefined {
  if (INITRD_SYSTEMD.has(dotted)) return { name: 'systemd' };
  if (dotted === 'config.boot.zfs.package') return { name: 'zfs' };
  let rest: string;
  if (dotted.startsWith('pkgs.')) rest = dotted.slice(5);
  else if (dotted.startsWith('config.boot.kernelPackages.')) rest = dotted.slice(27);
  else return undefined;
  const parts = rest.split('.');
  if (parts.length === 0 || !parts[0]) return undefined;
  let output: string | undefined;
  if (parts.length > 1 && OUTPUTS.has(parts[parts.length - 1]!)) output = parts.pop();
  const name = parts[parts.length - 1]!;
  return output ? { name, output } : { name };
}

export function packageText(p: PackageRef): string {
  return `pkgs.${p.name}${p.output ? `.${p.output}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Reading provision expressions: let bindings, `with pkgs;`, strings with `${pkg}` and a sub-path.

/** Let-bound names of a file, looked up by name. */
export interface Bindings {
  get(name: string): SyntaxNode | undefined;
}

const bindingsCache = new WeakMap<FileModel, Bindings>();

/** Let-bound names of a file with one unambiguous value each (for `${sedKeyBin}`), collected lazily. */
export function fileBindings(file: FileModel): Bindings {
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
  const visit = (n: SyntaxNode, depth: number): void => {
    if (depth > 512) return;
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
    for (const c of n.children) if (c.type === 'node') visit(c, depth + 1);
  };
  visit(file.root, 0);
  for (const a of ambiguous) map.delete(a);
  return map;
}

/** What a `${…}` interpolation refers to: a package and a sub-path (`/bin/sed-key`, or ''). */
export interface Resolved {
  readonly pkg: PackageRef;
  readonly subpath: string;
}

/** The package expression of `${…}` (through let-bound strings like `"${pkgs.sed-key}/bin/sed-key"`). */
export function resolveInterpolation(
  interp: SyntaxNode,
  file: FileModel,
  bindings: Bindings,
  withPkgs?: boolean,
  depth = 0,
): Resolved | undefined {
  const inner = unparen(nodes(interp)[0]);
  return inner
    ? resolveExpr(inner, file, bindings, withPkgs ?? insideWithPkgs(file, interp.start), depth)
    : undefined;
}

function resolveExpr(
  expr: SyntaxNode,
  file: FileModel,
  bindings: Bindings,
  withPkgs: boolean,
  depth: number,
): Resolved | undefined {
  if (depth > 4) return undefined;
  const u = unparen(expr);
  if (!u) return undefined;
  if (u.kind === 'String' || u.kind === 'IndString') {
    const interps = nodes(u).filter((c) => c.kind === 'Interpolation');
    if (interps.length !== 1) return undefined;
    const open = u.children[0]!;
    const openEnd = open.type === 'token' ? open.end : u.start + 1;
    // Only `"${pkg}…"`: text before the interpolation would make it something else.
    if (file.text.slice(openEnd, interps[0]!.start) !== '') return undefined;
    const r = resolveInterpolation(interps[0]!, file, bindings, withPkgs, depth + 1);
    if (!r) return undefined;
    const closing = u.children[u.children.length - 1]!;
    const after = file.text.slice(interps[0]!.end, closing.start);
    if (/[$"\\]/.test(after)) return undefined;
    return { pkg: r.pkg, subpath: r.subpath + after };
  }
  if (u.kind === 'Apply') {
    // lib.getBin pkgs.x / getExe: the package, sub-path unknown.
    const { fn, args } = applyChain(u);
    const name = calleeName(fn);
    if ((name === 'getBin' || name === 'getOutput') && args.length >= 1) {
      const r = resolveExpr(args[args.length - 1]!, file, bindings, withPkgs, depth + 1);
      return r && r.subpath === '' ? { pkg: { name: r.pkg.name, output: 'bin' }, subpath: '' } : undefined;
    }
    return undefined;
  }
  const dotted = dottedName(u, file.text);
  if (!dotted) return undefined;
  if (dotted.includes('.')) {
    const p = packageRef(dotted);
    return p ? { pkg: p, subpath: '' } : undefined;
  }
  const bound = bindings.get(dotted);
  if (bound) return resolveExpr(bound, file, bindings, withPkgs, depth + 1);
  // A bare name under `with pkgs;` is a package.
  if (withPkgs && /^[A-Za-z_][\w'-]*$/.test(dotted) && !NOT_PACKAGES.has(dotted))
    return { pkg: { name: dotted }, subpath: '' };
  return undefined;
}

const NOT_PACKAGES = new Set([
  'true',
  'false',
  'null',
  'config',
  'lib',
  'pkgs',
  'cfg',
  'builtins',
  'inputs',
  'self',
]);

/** One item of a provision list: a store path the image gets. */
export interface ProvisionItem {
  readonly node: SyntaxNode;
  /** Undefined when the item could not be read. */
  readonly resolved?: Resolved;
  /** A plain string item, e.g. "/nix/store/…" or a non-store path. */
  readonly literal?: string;
}

const withRanges = new WeakMap<FileModel, Array<{ start: number; end: number }>>();

/** Whether `offset` lies inside a `with pkgs; …` body of the file (then `foo` means `pkgs.foo`). */
function insideWithPkgs(file: FileModel, offset: number): boolean {
  let ranges = withRanges.get(file);
  if (!ranges) {
    const found: Array<{ start: number; end: number }> = [];
    if (/\bwith\s+pkgs\s*;/.test(file.text)) {
      const visit = (n: SyntaxNode, depth: number): void => {
        if (depth > 512) return;
        if (n.kind === 'With') {
          const [scope, body] = nodes(n);
          if (scope && body && dottedName(scope, file.text) === 'pkgs')
            found.push({ start: body.start, end: body.end });
        }
        if (n.kind === 'String' || n.kind === 'IndString') return;
        for (const c of n.children) if (c.type === 'node') visit(c, depth + 1);
      };
      visit(file.root, 0);
    }
    withRanges.set(file, (ranges = found));
  }
  return ranges.some((r) => r.start <= offset && offset < r.end);
}

/** Items of a list-valued provision option (`with pkgs; [ … ]`, `++`, `optionals`, let names). */
export function provisionItems(
  value: SyntaxNode,
  file: FileModel,
  bindings: Bindings,
): { items: ProvisionItem[]; opaque: boolean } {
  const out: ProvisionItem[] = [];
  let opaque = false;
  const visitItem = (item: SyntaxNode, withPkgs: boolean, depth: number): void => {
    const plain = plainString(item, file.text);
    if (plain !== undefined) {
      out.push({ node: item, literal: plain });
      return;
    }
    const r = resolveExpr(item, file, bindings, withPkgs, 0);
    if (r) {
      out.push({ node: item, resolved: r });
      return;
    }
    // A let-bound list, or something we cannot read.
    const d = dottedName(item, file.text);
    const bound = d && !d.includes('.') ? bindings.get(d) : undefined;
    if (bound && depth < 8 && unparen(bound)?.kind !== 'String' && unparen(bound)?.kind !== 'IndString')
      visit(bound, withPkgs, depth + 1);
    else {
      out.push({ node: item });
      opaque = true;
    }
  };
  const visit = (n: SyntaxNode | undefined, withPkgs: boolean, depth: number): void => {
    if (!n || depth > 32) return;
    const u = unparen(n);
    if (!u) return;
    if (u.kind === 'With') {
      const [scope, body] = nodes(u);
      const s = scope ? dottedName(scope, file.text) : undefined;
      visit(body, withPkgs || s === 'pkgs', depth + 1);
      return;
    }
    if (u.kind === 'List') {
      for (const item of nodes(u)) visitItem(item, withPkgs, depth);
      return;
    }
    if (u.kind === 'BinaryOp' && tokens(u).some((t) => t.kind === 'concat')) {
      for (const s of nodes(u)) visit(s, withPkgs, depth + 1);
      return;
    }
    if (u.kind === 'Apply') {
      const { fn, args } = applyChain(u);
      const name = calleeName(fn);
      if (name === 'optionals' && args.length === 2) return visit(args[1], withPkgs, depth + 1);
      if (name === 'optional' && args.length === 2) return visitItem(args[1]!, withPkgs, depth + 1);
      if (
        (name === 'mkIf' ||
          name === 'mkDefault' ||
          name === 'mkForce' ||
          name === 'mkBefore' ||
          name === 'mkAfter' ||
          name === 'mkOverride' ||
          name === 'mkOrder') &&
        args.length >= 1
      ) {
        return visit(args[args.length - 1], withPkgs, depth + 1);
      }
    }
    if (u.kind === 'LetIn') {
      const body = nodes(u)
        .filter((c) => c.kind !== 'Binding' && c.kind !== 'Inherit' && c.kind !== 'Error')
        .pop();
      return visit(body, withPkgs, depth + 1);
    }
    // A single package or string where a list is expected (extraBin.x, contents.x.source).
    visitItem(u, withPkgs, depth + 1);
  };
  visit(value, insideWithPkgs(file, value.start), 0);
  return { items: out, opaque };
}

// ---------------------------------------------------------------------------------------------
// The model.

export interface Stage1Contents {
  /** Bare command names on /bin, with where each comes from. */
  readonly onPath: ReadonlyMap<string, string>;
  /** Packages whose bin/ and sbin/ are linked into /bin (initrdBin): name → source. */
  readonly binPackages: ReadonlyMap<string, string>;
  /** Packages copied whole (storePaths `pkgs.x` or `"${pkgs.x}"`), by `name` or `name.output`. */
  readonly wholePackages: ReadonlyMap<string, string>;
  /** Single files or directories of packages: `name/bin/x`, `name/bin`. */
  readonly paths: ReadonlyMap<string, string>;
  /** busybox is in initrdBin: every applet is on /bin. */
  readonly busybox: boolean;
  /** A provision the linter could not read (an unknown package in initrdBin, a computed list): bare names are not judged. */
  readonly unknownNames: boolean;
  /** Packages named in provisions whose exact files we cannot tell (`getExe pkgs.x` …): treated as present. */
  readonly mentioned: ReadonlySet<string>;
  /** Packages NixOS modules of the host put into stage 1 (file systems, ZFS, LVM, clevis): name → which module. */
  readonly moduleProvided: ReadonlyMap<string, string>;
  /** The initrd's systemd is not pkgs.systemd (boot.initrd.systemd.package or systemd.package set). */
  readonly customSystemd: boolean;
  /** File-system types the host needs in stage 1 (and whether some could not be read). */
  readonly fsTypes: {
    readonly initrd: ReadonlySet<string>;
    readonly any: ReadonlySet<string>;
    readonly unknown: boolean;
  };
}

function keyOf(p: PackageRef): string {
  return p.output && p.output !== 'out' ? `${p.name}.${p.output}` : p.name;
}

/** File-system types the host uses, from `fileSystems.*.fsType` and `boot.(initrd.)supportedFilesystems`. */
export function hostFsTypes(project: ProjectModel): Stage1Contents['fsTypes'] {
  const initrd = new Set<string>();
  const any = new Set<string>();
  let unknown = false;
  const needed = new Set<string>(PATHS_NEEDED_FOR_BOOT);
  for (const { def } of project.definitions('fileSystems.*.neededForBoot')) {
    if (boolOf(def.value) !== false) needed.add(def.path[1]!);
  }
  for (const { file, def } of project.definitions('fileSystems.*.fsType')) {
    const t = plainString(def.value, file.text);
    if (t === undefined) {
      unknown = true;
      continue;
    }
    any.add(t);
    if (needed.has(def.path[1]!)) initrd.add(t);
  }
  for (const opt of ['boot.initrd.supportedFilesystems', 'boot.supportedFilesystems']) {
    const r = kernelModuleNames(project, opt);
    if (r.opaque) unknown = true;
    for (const n of r.names) {
      any.add(n);
      if (opt.startsWith('boot.initrd')) initrd.add(n);
    }
  }
  // disko and similar generate fileSystems from their own layout.
  if (project.definitions('disko.devices').length + project.definitions('disko.devices.*').length > 0)
    unknown = true;
  if (project.definitions('fileSystems').some(({ def }) => unparen(def.value)?.kind !== 'AttrSet'))
    unknown = true;
  return { initrd, any, unknown };
}

const systemdCache = new WeakMap<ProjectModel, Stage1Contents>();

/** What systemd stage 1 contains for the host of `project` (memoised per project). */
export function systemdStage1Contents(project: ProjectModel): Stage1Contents {
  const hit = systemdCache.get(project);
  if (hit) return hit;
  const onPath = new Map<string, string>();
  const binPackages = new Map<string, string>();
  const wholePackages = new Map<string, string>();
  const paths = new Map<string, string>();
  const mentioned = new Set<string>();
  const moduleProvided = new Map<string, string>();
  let busybox = false;
  let unknownNames = false;

  const customSystemd =
    project.definitions('boot.initrd.systemd.package').length +
      project.definitions('systemd.package').length >
    0;
  // Defaults of initrd.nix.
  for (const n of SYSTEMD_STAGE1_DEFAULT_COMMANDS)
    onPath.set(n, 'the default boot.initrd.systemd.initrdBin/extraBin');
  binPackages.set('bashInteractive', 'default initrdBin');
  binPackages.set('coreutils', 'default initrdBin');
  binPackages.set('kmod', "default initrdBin (the initrd systemd's kmod)");
  if (!customSystemd) binPackages.set('systemd', 'default initrdBin (boot.initrd.systemd.package)');
  for (const f of [
    'less/bin/less',
    'util-linuxMinimal/bin/mount',
    'util-linuxMinimal/bin/umount',
    'util-linuxMinimal/bin/fsck',
    'util-linuxMinimal/bin/sulogin',
    'glibc/lib/libnss_files.so.2',
    'chroot-realpath/bin/chroot-realpath',
  ]) {
    paths.set(f, 'the default boot.initrd.systemd.extraBin/storePaths');
  }
  paths.set('bash/bin', 'the default boot.initrd.systemd.storePaths ("${pkgs.bash}/bin")');
  paths.set('runtimeShell', 'the default boot.initrd.systemd.storePaths (pkgs.runtimeShell)');

  const addBinPackage = (p: PackageRef, source: string): void => {
    const name = p.name;
    binPackages.set(name, source);
    const bins = PACKAGE_BINARIES[name];
    if (bins === 'all-busybox') busybox = true;
    else if (bins) for (const b of bins) if (!onPath.has(b)) onPath.set(b, source);
    if (!bins) {
      onPath.set(name, source); // a package usually provides a program of its own name
      unknownNames = true;
    }
  };

  // File-system modules.
  const fsTypes = hostFsTypes(project);
  for (const fs of FS_INITRD_PACKAGES) {
    const used = fs.types.some(
      (t) => fsTypes.initrd.has(t) || (fs.alsoStage2 === true && fsTypes.any.has(t)),
    );
    if (used) {
      addBinPackage(
        { name: fs.pkg },
        `boot.initrd.systemd.initrdBin (nixpkgs tasks/filesystems/${fs.module}, ${fs.types.join('/')} file system)`,
      );
      moduleProvided.set(fs.pkg, `nixpkgs tasks/filesystems/${fs.module}`);
    }
  }

  // zfs.nix (systemd stage 1, when ZFS is needed in stage 1): extraBin zpool and zfs from the zfs
  // package's sbin/, awk from gawk; storePaths vdev_id and zvol_id. Used only in stage 2: silent.
  if (fsTypes.initrd.has('zfs')) {
    for (const n of ['zfs', 'zpool']) {
      onPath.set(n, 'boot.initrd.systemd.extraBin (nixpkgs tasks/filesystems/zfs.nix, ZFS in stage 1)');
      paths.set(`zfs/sbin/${n}`, 'boot.initrd.systemd.extraBin (nixpkgs tasks/filesystems/zfs.nix)');
    }
    onPath.set('awk', 'boot.initrd.systemd.extraBin (nixpkgs tasks/filesystems/zfs.nix)');
    moduleProvided.set('zfs', 'nixpkgs tasks/filesystems/zfs.nix (ZFS in stage 1)');
    paths.set('gawk/bin/awk', 'boot.initrd.systemd.extraBin (nixpkgs tasks/filesystems/zfs.nix)');
  }
  if (fsTypes.initrd.has('zfs') || fsTypes.any.has('zfs') || project.definitions('boot.zfs.*').length > 0)
    mentioned.add('zfs');

  // lvm.nix: `boot.initrd.services.lvm.enable` puts lvm2 into initrdBin ("The device-mapper rules
  // want to call tools from lvm2").
  if (project.definitions('boot.initrd.services.lvm.enable').some(({ def }) => boolOf(def.value) === true)) {
    addBinPackage(
      { name: 'lvm2' },
      'boot.initrd.systemd.initrdBin (nixpkgs tasks/lvm.nix, boot.initrd.services.lvm.enable)',
    );
    moduleProvided.set('lvm2', 'nixpkgs tasks/lvm.nix');
  }
  // Features whose modules add their tools when on (LUKS, software RAID, TPM2): their store paths
  // are not judged.
  const anyOf = (...patterns: string[]): boolean => patterns.some((q) => project.definitions(q).length > 0);
  if (anyOf('boot.initrd.luks.devices', 'boot.initrd.luks.devices.*', 'boot.initrd.luks.devices.*.*'))
    mentioned.add('cryptsetup');
  if (anyOf('boot.swraid.*', 'boot.initrd.services.swraid.*')) mentioned.add('mdadm');
  if (project.definitions('boot.initrd.systemd.tpm2.*').length > 0) mentioned.add('tpm2-tools');

  // clevis.nix.
  if (project.definitions('boot.initrd.clevis.enable').some(({ def }) => boolOf(def.value) !== false)) {
    onPath.set('clevis', 'boot.initrd.clevis (clevis.nix extraBin)');
    onPath.set('curl', 'boot.initrd.clevis (clevis.nix extraBin)');
    wholePackages.set('clevis', 'boot.initrd.clevis (clevis.nix storePaths)');
    moduleProvided.set('clevis', 'nixpkgs system/boot/clevis.nix');
    for (const f of [
      'jose/bin/jose',
      'curl/bin/curl',
      'tpm2-tools/bin/tpm2_createprimary',
      'tpm2-tools/bin/tpm2_flushcontext',
      'tpm2-tools/bin/tpm2_load',
      'tpm2-tools/bin/tpm2_unseal',
    ]) {
      paths.set(f, 'boot.initrd.clevis (clevis.nix storePaths)');
    }
  }

  for (const { file, def } of project.definitions('boot.initrd.systemd.initrdBin')) {
    const r = provisionItems(def.value, file, fileBindings(file));
    if (r.opaque) unknownNames = true;
    for (const it of r.items) {
      if (it.resolved && it.resolved.subpath === '')
        addBinPackage(it.resolved.pkg, `boot.initrd.systemd.initrdBin in ${base(file.path)}`);
      else if (it.resolved) mentioned.add(it.resolved.pkg.name);
      else unknownNames = true;
    }
  }
  const addPath = (r: Resolved, source: string): void => {
    const key = keyOf(r.pkg);
    if (r.subpath === '' || r.subpath === '/') wholePackages.set(key, source);
    else paths.set(key + r.subpath.replace(/\/+$/, ''), source);
  };
  for (const { file, def } of project.definitions('boot.initrd.systemd.extraBin.*')) {
    const name = def.path[def.path.length - 1]!;
    onPath.set(name, `boot.initrd.systemd.extraBin.${name} in ${base(file.path)}`);
    const r = provisionItems(def.value, file, fileBindings(file));
    for (const it of r.items) if (it.resolved) addPath(it.resolved, `boot.initrd.systemd.extraBin.${name}`);
    for (const it of r.items) if (it.resolved) mentioned.add(it.resolved.pkg.name);
  }
  for (const { def } of project.definitions('boot.initrd.systemd.extraBin')) {
    const set = unparen(def.value);
    if (set?.kind !== 'AttrSet') unknownNames = true;
  }
  for (const { file, def } of project.definitions('boot.initrd.systemd.storePaths')) {
    const r = provisionItems(def.value, file, fileBindings(file));
    for (const it of r.items) {
      if (it.resolved) addPath(it.resolved, `boot.initrd.systemd.storePaths in ${base(file.path)}`);
      else if (it.literal !== undefined)
        paths.set(it.literal, `boot.initrd.systemd.storePaths in ${base(file.path)}`);
    }
    // An unreadable storePaths item never puts a name on /bin; but it may hold a `${pkg}/bin/x`.
    if (r.opaque)
      for (const it of r.items)
        if (!it.resolved && it.literal === undefined) mentionedFrom(it.node, file, mentioned);
  }
  for (const { file, def } of project.definitions('boot.initrd.systemd.contents.*')) {
    const target = def.path[def.path.length - 1]!;
    const m = /^\/(?:usr\/)?s?bin\/([^/]+)$/.exec(target);
    if (m) onPath.set(m[1]!, `boot.initrd.systemd.contents."${target}" in ${base(file.path)}`);
    if (/^\/(?:usr\/)?s?bin\/?$/.test(target)) unknownNames = true;
  }
  for (const { file, def } of project.definitions('boot.initrd.systemd.contents.*.source')) {
    const r = provisionItems(def.value, file, fileBindings(file));
    for (const it of r.items)
      if (it.resolved) addPath(it.resolved, `boot.initrd.systemd.contents."${def.path[4]}".source`);
  }
  for (const { file, def } of project.definitions('boot.initrd.systemd.packages')) {
    // Packages providing units and hooks: their programs are not on /bin, but units may run them.
    for (const it of provisionItems(def.value, file, fileBindings(file)).items)
      if (it.resolved) mentioned.add(it.resolved.pkg.name);
  }
  const model: Stage1Contents = {
    onPath,
    binPackages,
    wholePackages,
    paths,
    busybox,
    unknownNames,
    mentioned,
    moduleProvided,
    customSystemd,
    fsTypes,
  };
  systemdCache.set(project, model);
  return model;
}

function mentionedFrom(n: SyntaxNode, file: FileModel, into: Set<string>): void {
  const visit = (x: SyntaxNode, depth: number): void => {
    if (depth > 64) return;
    if (x.kind === 'Select') {
      const d = dottedName(x, file.text);
      const p = d ? packageRef(d) : undefined;
      if (p) into.add(p.name);
    }
    for (const c of x.children) if (c.type === 'node') visit(c, depth + 1);
  };
  visit(n, 0);
}

export function base(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Whether a store path `${pkg}<subpath>` is in the systemd stage-1 image, and why. */
export type PathVerdict =
  | { readonly present: true; readonly source: string }
  | { readonly present: false; readonly reason: 'wrong-output' | 'not-provided' }
  | { readonly present: 'unknown' };

export function storePathInImage(c: Stage1Contents, r: Resolved): PathVerdict {
  const { pkg, subpath } = r;
  const inBin = /^\/s?bin(\/|$)/.test(subpath);
  if (PROGRAMS_IN_BIN_OUTPUT.has(pkg.name) && (pkg.output === undefined || pkg.output === 'out') && inBin) {
    return { present: false, reason: 'wrong-output' };
  }
  if (pkg.name === 'systemd' && c.customSystemd) return { present: 'unknown' };
  const key = keyOf(pkg);
  const whole = c.wholePackages.get(key);
  if (whole) return { present: true, source: whole };
  if (inBin) {
    const b = c.binPackages.get(pkg.name);
    // initrdBin links getBin(pkg): the default output's bin/ (or the `bin` output's).
    if (b && (pkg.output === undefined || pkg.output === 'bin' || pkg.output === 'out'))
      return { present: true, source: b };
  }
  let p = key + subpath.replace(/\/+$/, '');
  for (let guard = 0; guard < 16; guard++) {
    const hit = c.paths.get(p);
    if (hit) return { present: true, source: hit };
    const cut = p.lastIndexOf('/');
    if (cut <= 0) break;
    p = p.slice(0, cut);
  }
  if (c.mentioned.has(pkg.name)) return { present: 'unknown' };
  return { present: false, reason: 'not-provided' };
}

/** Whether a bare command name is on /bin in systemd stage 1: the source, false, or 'unknown'. */
export function commandOnPath(c: Stage1Contents, name: string): string | false | 'unknown' {
  const hit = c.onPath.get(name);
  if (hit) return hit;
  if (c.busybox && BUSYBOX_APPLETS.has(name)) return 'busybox in boot.initrd.systemd.initrdBin';
  if (c.unknownNames) return 'unknown';
  if (c.fsTypes.unknown && FS_PROGRAMS.has(name)) return 'unknown';
  return false;
}

const FS_PROGRAMS: ReadonlySet<string> = new Set(
  FS_INITRD_PACKAGES.flatMap((f) => PACKAGE_BINARIES[f.pkg] as readonly string[]),
);

/** Whether a package's files are in the image (whole, or its bin/ via initrdBin): for a service's `path`. */
export function packageBinInImage(c: Stage1Contents, p: PackageRef): boolean {
  return c.wholePackages.has(keyOf(p)) || c.binPackages.has(p.name) || c.paths.has(`${keyOf(p)}/bin`);
}

// ---------------------------------------------------------------------------------------------
// Whether the linter read the whole host.

export interface Openness {
  /** Module references the linter could not read (a flake input's module, a computed path, a file not linted). */
  readonly unread: readonly string[];
}

const openCache = new WeakMap<ProjectModel, Openness>();

/**
 * nixpkgs modules imported through `modulesPath + "/…"` or `<nixpkgs/nixos/modules/…>` that this
 * model knows (so importing them does not make the host open).
 */
const KNOWN_NIXPKGS_MODULES: ReadonlyMap<string, { readonly availableKernelModules: readonly string[] }> =
  new Map([
    // nixos/modules/profiles/qemu-guest.nix
    [
      'profiles/qemu-guest.nix',
      {
        availableKernelModules: [
          'virtio_net',
          'virtio_pci',
          'virtio_mmio',
          'virtio_blk',
          'virtio_scsi',
          '9p',
          '9pnet_virtio',
        ],
      },
    ],
    // nixos/modules/installer/scan/not-detected.nix: only hardware.enableRedistributableFirmware
    ['installer/scan/not-detected.nix', { availableKernelModules: [] }],
  ]);

/** The nixpkgs module a `modulesPath + "/x"` or `<nixpkgs/nixos/modules/x>` item names, if any. */
function nixpkgsModuleOf(item: SyntaxNode, text: string): string | undefined {
  const src = text.slice(item.start, item.end).replace(/\s+/g, '');
  const m =
    /^\(?(?:modulesPath|\(toStringmodulesPath\))\+"\/?([^"$]+)"\)?$/.exec(src) ??
    /^"\$\{modulesPath\}\/([^"$]+)"$/.exec(src) ??
    /^\(?<nixpkgs\/nixos\/modules\/([^>]+)>\)?$/.exec(src);
  return m ? m[1] : undefined;
}

/**
 * What of the host the linter could not read. A host model with an "open" flag (nixos/hosts.ts)
 * takes precedence when the project carries one; until then this looks at the `imports` and
 * `modules` lists of the host's files: an item that is not a path to a linted file, or a nixpkgs
 * module this model does not know, leaves the host open.
 */
export function hostOpenness(project: ProjectModel): Openness {
  const hit = openCache.get(project);
  if (hit) return hit;
  const flagged = (project as { readonly open?: unknown; readonly unread?: unknown }).open;
  const unread: string[] = [];
  if (flagged === true) {
    const u = (project as { readonly unread?: unknown }).unread;
    unread.push(...(Array.isArray(u) ? u.map(String) : ['modules the host model could not read']));
  }
  const linted = new Set(project.files.map((f) => f.path));
  for (const file of project.files) {
    if (!MODULE_LIST_WORD.test(file.text)) continue;
    const dir = file.path.slice(0, file.path.lastIndexOf('/') + 1);
    const visit = (n: SyntaxNode, depth: number): void => {
      if (depth > 256) return;
      const ml = n.kind === 'Binding' ? moduleListOf(n) : undefined;
      if (ml) {
        for (const item of listItems(ml.value)) {
          const u = unparen(item);
          if (!u) continue;
          if (u.kind === 'Path' && nodes(u).length === 0) {
            const lit = tokens(u)[0]?.text ?? '';
            if (lit.startsWith('<')) {
              const mod = nixpkgsModuleOf(u, file.text);
              if (!mod || !KNOWN_NIXPKGS_MODULES.has(mod)) unread.push(`${lit} (${base(file.path)})`);
              continue;
            }
            if (!dir.startsWith('/') || lit.startsWith('~')) continue;
            const abs = normalizePath(lit.startsWith('/') ? lit : dir + lit);
            if (!linted.has(abs) && !linted.has(`${abs}/default.nix`))
              unread.push(`${lit} (${base(file.path)}: not linted)`);
            continue;
          }
          if (u.kind === 'AttrSet' || u.kind === 'Lambda' || u.kind === 'LetIn') continue; // inline module: its definitions are read
          const mod = nixpkgsModuleOf(u, file.text);
          if (mod && KNOWN_NIXPKGS_MODULES.has(mod)) continue;
          unread.push(
            `${file.text.slice(u.start, u.end).replace(/\s+/g, ' ').slice(0, 80)} (${base(file.path)})`,
          );
        }
        if (!isPlainList(ml.value)) unread.push(`a computed ${ml.name} list (${base(file.path)})`);
      }
      if (n.kind === 'String' || n.kind === 'IndString') return;
      for (const c of n.children) if (c.type === 'node') visit(c, depth + 1);
    };
    visit(file.root, 0);
  }
  const model = { unread: [...new Set(unread)] };
  openCache.set(project, model);
  return model;
}

function isPlainList(value: SyntaxNode): boolean {
  const u = unparen(value);
  if (!u) return false;
  if (u.kind === 'List') return true;
  if (u.kind === 'BinaryOp' && tokens(u).some((t) => t.kind === 'concat')) return nodes(u).every(isPlainList);
  return false;
}

function normalizePath(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return `/${out.join('/')}`;
}

/** Kernel modules the known nixpkgs modules imported by the host add to availableKernelModules. */
export function importedKernelModules(
  project: ProjectModel,
): Array<{ module: string; file: string; names: readonly string[] }> {
  const out: Array<{ module: string; file: string; names: readonly string[] }> = [];
  for (const file of project.files) {
    if (!MODULE_LIST_WORD.test(file.text) || !/qemu-guest|nixos\/modules|modulesPath/.test(file.text))
      continue;
    const visit = (n: SyntaxNode, depth: number): void => {
      if (depth > 256) return;
      const ml = n.kind === 'Binding' ? moduleListOf(n) : undefined;
      if (ml) {
        for (const item of listItems(ml.value)) {
          const mod = nixpkgsModuleOf(item, file.text);
          const known = mod ? KNOWN_NIXPKGS_MODULES.get(mod) : undefined;
          if (mod && known) out.push({ module: mod, file: file.path, names: known.availableKernelModules });
        }
      }
      if (n.kind === 'String' || n.kind === 'IndString') return;
      for (const c of n.children) if (c.type === 'node') visit(c, depth + 1);
    };
    visit(file.root, 0);
  }
  return out;
}
