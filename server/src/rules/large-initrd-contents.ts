// Rule large-initrd-contents: packages known to be huge pulled whole into stage 1.
import { nodes, unparen } from '../nixos/definitions';
import { items } from '../nixos/options-query';
import { systemdStage1Contents } from '../nixos/stage1Contents';
import type { SyntaxNode } from '../syntax/tree';
import type { Rule, RuleContext } from './types';
import { dottedName, packagesUsedInStage1 } from './util';

/** Packages whose output alone is tens to hundreds of MB (rough sizes of x86_64 outputs). */
const HUGE: ReadonlyMap<string, string> = new Map([
  ['nix', '~120 MB with its closure (seed 002)'],
  ['nixVersions.latest', '~120 MB'],
  ['lix', '~120 MB'],
  ['python3', '~100 MB (interpreter and standard library)'],
  ['python3Full', '~150 MB'],
  ['python3Minimal', '~40 MB'],
  ['python', '~100 MB'],
  ['perl', '~60 MB'],
  ['systemd', '~170 MB (systemdMinimal ~67 MB, seed 002)'],
  ['gcc', '~200 MB'],
  ['stdenv', '~300 MB'],
  ['llvm', '~300 MB'],
  ['nodejs', '~80 MB'],
  ['go', '~400 MB'],
  ['rustc', '~500 MB'],
  ['ghc', '~1.5 GB'],
  ['git', '~60 MB'],
  ['gnupg', '~30 MB'],
  ['vim', '~40 MB'],
  ['neovim', '~50 MB'],
  ['emacs', '~300 MB'],
  ['linux-firmware', '~500 MB'],
  ['firmwareLinuxNonfree', '~500 MB'],
  ['zfs', '~40 MB'],
  ['coreutils-full', '~20 MB'],
  ['curl', '~15 MB (with its closure much more)'],
]);

const OPTIONS = [
  'boot.initrd.systemd.storePaths',
  'boot.initrd.systemd.initrdBin',
  'boot.initrd.systemd.packages',
];

/** The package a list item names whole (`pkgs.python3`, `python3` under `with pkgs;`, `"${pkgs.nix}"`). */
function wholePackage(n: SyntaxNode, text: string): string | undefined {
  const u = unparen(n);
  if (!u) return undefined;
  if (u.kind === 'String') {
    const inner = nodes(u);
    const raw = text.slice(u.start + 1, u.end - 1);
    if (
      inner.length === 1 &&
      inner[0]!.kind === 'Interpolation' &&
      raw === text.slice(inner[0]!.start, inner[0]!.end)
    ) {
      const expr = nodes(inner[0]!)[0];
      return expr ? wholePackage(expr, text) : undefined;
    }
    return undefined;
  }
  const name = dottedName(u, text);
  if (!name) return undefined;
  const short = name.replace(/^(pkgs|config\.boot\.kernelPackages|config\.boot\.zfs)\./, '');
  if (short === 'package' || name.startsWith('config.')) return undefined;
  return HUGE.has(short) ? short : undefined;
}

function check(ctx: RuleContext, option: string, n: SyntaxNode, extra = ''): void {
  const pkg = wholePackage(n, ctx.file.text);
  if (!pkg) return;
  if (pkg === 'systemd' && option.endsWith('initrdBin')) return; // initrdBin's default already holds systemd
  // A package the host's stage-1 units run is needed there: initrd-missing-command counts it as
  // provided, and this rule must not call the same store path too big.
  const name = pkg.slice(pkg.lastIndexOf('.') + 1);
  if (packagesUsedInStage1(ctx.project).has(name)) return;
  // Already put into stage 1 by a NixOS module of the host (root on ZFS: zfs.nix): no size claim.
  if (option.endsWith('initrdBin') && systemdStage1Contents(ctx.project).moduleProvided.has(name)) return;
  const how =
    option.endsWith('storePaths') || option.includes('contents') || option.includes('extraFiles')
      ? 'the whole store path is copied into the initrd'
      : option.endsWith('initrdBin')
        ? 'its bin/ and sbin/ programs and their libraries are copied into the initrd'
        : 'its units and programs are copied into the initrd';
  ctx.report({
    start: unparen(n)!.start,
    end: unparen(n)!.end,
    message:
      `${option}${extra}: ${pkg} is ${HUGE.get(pkg)}; ${how}, which is decompressed into RAM at every boot and copied into /boot once per generation. ` +
      'Copy in only the file you need, e.g. "${pkgs.' +
      pkg +
      '}/bin/<program>" via boot.initrd.systemd.extraBin, and check the size with `nixboot initrd` or `du -h $(readlink -f /run/current-system/initrd)`.',
  });
}

export const rule: Rule = {
  id: 'large-initrd-contents',
  severity: 'warning',
  title: 'A huge package pulled whole into the initrd',
  docs: {
    summary:
      'A package known to be huge (nix, python3, perl, the full systemd, gcc, firmware …) given whole to ' +
      '`boot.initrd.systemd.storePaths`, `initrdBin`, `packages`, `extraBin.<name>`, `contents.<path>.source` or ' +
      '`boot.initrd.extraFiles.<path>.source`.',
    why:
      'Everything in stage 1 is compressed into the initrd, unpacked into RAM at every boot, and copied into /boot (or ' +
      'the ESP) for every distinct kernel/initrd pair. A whole store path in `storePaths` is copied recursively: ' +
      '`pkgs.python3` alone is ~100 MB. Seed 002 started from a 477 MB initrd (a kexec image with Nix and the full ' +
      'systemd inside) and had to trim it to 6 MB; netboot loaders fail above about 2 GB (nixpkgs#203593), and a full ' +
      '/boot is how seed 001 lost its rollback generations.',
    bad: 'boot.initrd.systemd.storePaths = [ pkgs.python3 ];',
    good: 'boot.initrd.systemd.extraBin.unlock = "${pkgs.my-unlock}/bin/unlock";',
    fix:
      'Copy single programs with `boot.initrd.systemd.extraBin.<name> = "${pkg}/bin/<name>"` (makeInitrdNG follows ' +
      'their ELF libraries) or a file with `storePaths = [ "${pkg}/bin/x" ]`, rewrite a Python/Perl helper as a shell ' +
      'script, and measure the result. The rule only knows a fixed list of big packages (util-linux is not one: its ' +
      'default output holds only its programs, a few MB). It stays silent about a ' +
      'package that a stage-1 unit of the same host runs (`${pkgs.python3}/bin/python3` in a unit script, a bare ' +
      "`python3`, or the service's `path`): the unit needs it, and `initrd-missing-command` counts it as provided — " +
      'both rules read the same contents model (nixos/stage1Contents.ts), so they never disagree about a path. It ' +
      "also stays silent about a package in `initrdBin` that the host's NixOS modules already put into stage 1 " +
      '(zfs on a host whose stage 1 mounts ZFS, e2fsprogs, btrfs-progs, lvm2 …): the programs are there anyway.',
    references: [
      'nixpkgs pkgs/build-support/kernel/make-initrd-ng.nix (contents copied verbatim, ELF dependencies followed, closures not)',
      'nixpkgs nixos/modules/system/boot/systemd/initrd.nix (storePaths, initrdBin, extraBin, packages)',
      'seed 002 (477 MB kexec initrd), nixpkgs#203593 (2 GB netboot limit)',
    ],
  },
  check(ctx) {
    for (const option of OPTIONS) {
      for (const def of ctx.definitions(option)) for (const it of items(def.value)) check(ctx, option, it);
    }
    for (const def of ctx.definitions('boot.initrd.systemd.extraBin.*'))
      check(ctx, 'boot.initrd.systemd.extraBin', def.value, `.${def.path[4]}`);
    for (const def of ctx.definitions('boot.initrd.systemd.contents.*.source'))
      check(ctx, 'boot.initrd.systemd.contents', def.value, `."${def.path[4]}".source`);
    for (const def of ctx.definitions('boot.initrd.extraFiles.*.source'))
      check(ctx, 'boot.initrd.extraFiles', def.value, `."${def.path[3]}".source`);
  },
};
