// Rule initrd-compressor: an initrd compressor that wastes space or that the kernel cannot unpack.
import { plainString, stringItems } from '../nixos/options-query';
import type { Rule } from './types';

/** Names of pkgs/build-support/kernel/initrd-compressor-meta.nix, and the kernel decompressor each needs. */
const COMPRESSORS: ReadonlyMap<string, string> = new Map([
  ['cat', 'none'],
  ['gzip', 'CONFIG_RD_GZIP'],
  ['pigz', 'CONFIG_RD_GZIP'],
  ['bzip2', 'CONFIG_RD_BZIP2'],
  ['xz', 'CONFIG_RD_XZ'],
  ['pixz', 'CONFIG_RD_XZ'],
  ['lzma', 'CONFIG_RD_LZMA'],
  ['lz4', 'CONFIG_RD_LZ4'],
  ['lzop', 'CONFIG_RD_LZO'],
  ['zstd', 'CONFIG_RD_ZSTD'],
]);

export const rule: Rule = {
  id: 'initrd-compressor',
  severity: 'info',
  title: 'Uncompressed initrd, or a compressor the kernel cannot unpack',
  docs: {
    summary:
      '`boot.initrd.compressor = "cat"` (no compression), a compressor name nixpkgs does not know, or `compressorArgs` ' +
      "for xz/lzma without `--check=crc32` (the kernel's xz decoder only checks CRC32).",
    why:
      'With `cat` the initrd is stored uncompressed: typically 3–5 times larger, copied once per kernel/initrd pair into ' +
      'a /boot or ESP that is often 100–512 MB — the road to a full /boot and to the deleted rollback generations of ' +
      'seed 001. A name outside initrd-compressor-meta.nix (e.g. "bz2", "zst") fails the build. Overriding ' +
      '`compressorArgs` replaces the defaults, and for xz that drops `--check=crc32`: the kernel only verifies CRC32 ' +
      'or no check, so an initrd made with the default CRC64 check fails to unpack at boot ("XZ-compressed data is ' +
      'corrupt") — a kernel panic, not a build error.',
    bad: 'boot.initrd.compressor = "cat";',
    good: 'boot.initrd.compressor = "zstd";',
    fix:
      'Use the default (`zstd` on kernels ≥ 5.9, else `gzip`), or `xz` for the smallest image. With custom xz arguments ' +
      'keep `--check=crc32`. The quick fix for `cat` sets `zstd` (not applied by `--fix`: older kernels need gzip).',
    references: [
      'nixpkgs pkgs/build-support/kernel/initrd-compressor-meta.nix (names and default arguments, xz --check=crc32)',
      'nixpkgs nixos/modules/system/boot/stage-1.nix (boot.initrd.compressor default)',
      'linux Documentation/staging/xz.rst (kernel xz decoder: CRC32 only)',
    ],
  },
  check(ctx) {
    const text = ctx.file.text;
    if (
      ctx.definitions('boot.initrd.compressor').length === 0 &&
      ctx.definitions('boot.initrd.compressorArgs').length === 0
    )
      return;
    let compressor: string | undefined;
    for (const { file, def } of ctx.project.definitions('boot.initrd.compressor'))
      compressor = plainString(def.value, file.text) ?? compressor;
    for (const def of ctx.definitions('boot.initrd.compressor')) {
      const v = plainString(def.value, text);
      if (v === undefined) continue;
      const name = v.slice(v.lastIndexOf('/') + 1);
      if (v === 'cat') {
        ctx.report({
          start: def.value.start,
          end: def.value.end,
          message:
            'boot.initrd.compressor = "cat" stores the initrd uncompressed: several times larger, in every boot-loader copy in /boot. Use "zstd" (kernel ≥ 5.9) or "gzip".',
          fixes: [
            {
              title: 'Compress with zstd',
              edits: [{ start: def.value.start, end: def.value.end, newText: '"zstd"' }],
              safe: false,
              preferred: true,
            },
          ],
        });
      } else if (!v.includes('/') && !COMPRESSORS.has(name)) {
        ctx.report({
          start: def.value.start,
          end: def.value.end,
          severity: 'warning',
          message: `boot.initrd.compressor = "${v}" is not a compressor nixpkgs knows (${[...COMPRESSORS.keys()].join(', ')}): the initrd build fails.`,
        });
      }
    }
    if (compressor !== 'xz' && compressor !== 'lzma' && compressor !== 'pixz') return;
    for (const def of ctx.definitions('boot.initrd.compressorArgs')) {
      const args = stringItems(def, text).map((s) => s.value);
      if (args.length === 0) continue;
      if (args.some((a) => /^(--check=(crc32|none)|-C(crc32|none)?)$/.test(a))) continue;
      if (compressor === 'lzma') continue; // .lzma has no integrity check field
      ctx.report({
        start: def.value.start,
        end: def.value.end,
        severity: 'warning',
        message: `boot.initrd.compressorArgs replaces the default xz arguments, dropping --check=crc32: xz then writes a CRC64 check, which the kernel cannot verify, and the initrd fails to unpack at boot ("XZ-compressed data is corrupt"). Add "--check=crc32".`,
      });
    }
  },
};
