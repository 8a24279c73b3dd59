// Seed corpora, made from the test fixtures: the parser corpus and rule fixtures (test/syntax,
// test/rules), the strings in them for the shell mapping, initrd images built by
// test/fixtures/makeInitrd.ts with GNU cpio and the real compressors, NARs of fixture
// directories, the demo flake.lock, and the objects, packs and refs of a git repository made
// from the demo configuration.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { corpus } from '../test/syntax/corpus';
import { compress, makeCpio, type FixtureFile, type FixtureSegment } from '../test/fixtures/makeInitrd';
import { parse } from '../server/src/syntax/index';
import type { SyntaxNode } from '../server/src/syntax/tree';
import { scriptFromString } from '../server/src/shell/source';
import { dumpPath } from '../server/src/nar/nar';
import { joinGitInput } from './shared';

const ROOT = path.resolve(import.meta.dirname, '..');

const FILES: FixtureFile[] = [
  { path: 'init', content: '#!/bin/sh\nexec /bin/switch_root /mnt-root /sbin/init\n', mode: 0o755 },
  { path: 'etc', type: 'dir' },
  { path: 'etc/fstab', content: '/dev/sda1 / ext4 defaults 0 1\n' },
  { path: 'etc/mtab', type: 'symlink', target: '/proc/mounts' },
  { path: 'bin', type: 'dir' },
  { path: 'bin/sh', content: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0]) },
  { path: 'bin/ash', type: 'hardlink', target: 'bin/sh' },
  { path: 'dev', type: 'dir' },
  { path: 'dev/console', type: 'char', rdev: [5, 1] },
  { path: 'dev/initctl', type: 'fifo' },
];

const SMALL: FixtureFile[] = [{ path: 'kernel/x86/microcode/GenuineIntel.bin', content: 'ucode' }];

function nixTexts(): string[] {
  return corpus()
    .map((f) => f.text)
    .filter((t) => t.length > 0 && t.length <= 8192);
}

function strings(n: SyntaxNode, text: string, out: string[]): void {
  if (n.kind === 'String' || n.kind === 'IndString') out.push(scriptFromString(n).text);
  for (const c of n.children) if (c.type === 'node') strings(c, text, out);
}

function shellSeeds(): string[] {
  const out = new Set<string>();
  for (const t of nixTexts()) {
    const found: string[] = [];
    strings(parse(t).root, t, found);
    for (const s of found) if (s.includes(' ') && s.length <= 4096) out.add(s);
  }
  return [...out];
}

function segments(scratch: string, list: FixtureSegment[]): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  for (const s of list) {
    const b = compress(makeCpio(scratch, s.files, s.format), s.compression);
    parts.push(b);
    size += b.length;
    const pad = (4 - (size % 4)) % 4;
    parts.push(Buffer.alloc(pad));
    size += pad;
  }
  return Buffer.concat(parts);
}

/** A minimal PE image (a unified kernel image) with .cmdline and .initrd sections. */
function uki(initrd: Buffer): Buffer {
  const cmdline = Buffer.from('init=/nix/store/x/init root=/dev/sda1\0');
  const pe = 0x40;
  const optSize = 0;
  const secTable = pe + 24 + optSize;
  const nsec = 2;
  let off = secTable + nsec * 40;
  off = (off + 15) & ~15;
  const head = Buffer.alloc(off);
  head.write('MZ', 0, 'latin1');
  head.writeUInt32LE(pe, 0x3c);
  head.write('PE\0\0', pe, 'latin1');
  head.writeUInt16LE(nsec, pe + 6);
  head.writeUInt16LE(optSize, pe + 20);
  const sections: [string, Buffer][] = [
    ['.cmdline', cmdline],
    ['.initrd', initrd],
  ];
  let at = off;
  sections.forEach(([name, body], i) => {
    const t = secTable + i * 40;
    head.write(name, t, 'latin1');
    head.writeUInt32LE(body.length, t + 8);
    head.writeUInt32LE(body.length, t + 16);
    head.writeUInt32LE(at, t + 20);
    at += body.length;
  });
  return Buffer.concat([head, cmdline, initrd]);
}

/**
 * Inputs of the git-objects target (fuzz/targets.ts, splitGitInput): a repository made from the
 * demo configuration with two commits (so that the pack has deltas), packed by git once with
 * offset deltas and once with ref deltas; each seed carries one object as a loose object, the
 * pack and its index, and packed-refs naming the second commit.
 */
function gitSeeds(scratch: string): Buffer[] {
  const repo = path.join(scratch, 'repo');
  fs.cpSync(path.join(ROOT, 'test/fixtures/demo'), repo, { recursive: true });
  fs.mkdirSync(path.join(repo, 'sub/deeper'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'sub/deeper/run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  fs.symlinkSync('../flake.nix', path.join(repo, 'sub/link'));
  fs.writeFileSync(path.join(repo, 'foo.txt'), 'sorted before foo/ in git, after it in a NAR\n');
  fs.mkdirSync(path.join(repo, 'foo'));
  fs.writeFileSync(path.join(repo, 'foo/x'), 'x');
  const git = (args: string[], input?: string) => {
    const r = spawnSync(
      'git',
      [
        '-C',
        repo,
        '-c',
        'user.name=fuzz',
        '-c',
        'user.email=fuzz@localhost',
        '-c',
        'commit.gpgsign=false',
        ...args,
      ],
      { input, maxBuffer: 1 << 26 },
    );
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  git(['init', '-q']);
  git(['add', '-A']);
  git(['commit', '-q', '-m', 'fuzz seed']);
  // a second version of a file, a line changed, so that git stores one of them as a delta
  const flake = path.join(repo, 'flake.nix');
  fs.writeFileSync(flake, fs.readFileSync(flake, 'utf8').replace(/\n/, '\n# changed\n'));
  git(['commit', '-q', '-a', '-m', 'second']);
  const head = git(['rev-parse', 'HEAD']).toString().trim();
  const tree = git(['rev-parse', 'HEAD^{tree}']).toString().trim();
  const blob = git(['rev-parse', 'HEAD:foo/x']).toString().trim();
  const objects = git(['rev-list', '--objects', '--all']).toString();
  const raw = (oid: string) => {
    const type = git(['cat-file', '-t', oid]).toString().trim();
    const data = git(['cat-file', type, oid]);
    return Buffer.concat([Buffer.from(`${type} ${data.length}\0`), data]);
  };
  const pack = (offsetDeltas: boolean): [Buffer, Buffer] => {
    const base = path.join(scratch, `pack-${offsetDeltas ? 'ofs' : 'ref'}`);
    const name = git(
      ['pack-objects', '-q', '--window=10', ...(offsetDeltas ? ['--delta-base-offset'] : []), base],
      objects,
    )
      .toString()
      .trim();
    return [fs.readFileSync(`${base}-${name}.idx`), fs.readFileSync(`${base}-${name}.pack`)];
  };
  const [ofsIdx, ofsPack] = pack(true);
  const [refIdx, refPack] = pack(false);
  const refs = Buffer.from(`# pack-refs with: peeled fully-peeled sorted \n${head} refs/heads/main\n`);
  const looseFile = fs.readFileSync(path.join(repo, '.git/objects', blob.slice(0, 2), blob.slice(2)));
  // flags: 2 = the loose object is named by its contents' id, 1 = its bytes are the file as is
  return [
    joinGitInput(2, raw(head), ofsIdx, ofsPack, refs),
    joinGitInput(2, raw(tree), refIdx, refPack, refs),
    joinGitInput(3, looseFile, ofsIdx, ofsPack, Buffer.alloc(0)),
  ];
}

function narSeeds(scratch: string): Promise<Buffer[]> {
  const dir = path.join(scratch, 'nar');
  fs.mkdirSync(path.join(dir, 'a/b'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'a/b/exe'), '#!/bin/sh\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'a/file'), 'contents of seven\n');
  fs.writeFileSync(path.join(dir, 'empty'), '');
  fs.symlinkSync('a/file', path.join(dir, 'link'));
  const roots = [
    dir,
    path.join(dir, 'a/file'),
    path.join(dir, 'link'),
    path.join(ROOT, 'test/fixtures/demo'),
  ];
  return Promise.all(
    roots.map(async (r) => {
      const chunks: Buffer[] = [];
      await dumpPath(r, (c) => chunks.push(Buffer.from(c)));
      return Buffer.concat(chunks);
    }),
  );
}

/** A lock with a `follows` (hm's nixpkgs is the root's), a git input and a non-flake input, as in test/provenance/lock.test.ts. */
const FOLLOWS_LOCK = {
  nodes: {
    root: { inputs: { nixpkgs: 'nixpkgs', hm: 'hm', src: 'src' } },
    nixpkgs: {
      locked: {
        type: 'github',
        owner: 'NixOS',
        repo: 'nixpkgs',
        rev: 'a'.repeat(40),
        lastModified: 1,
        narHash: 'sha256-TCQmzlnaEAEaS0rG3/3YOs7JFLcjPV0xHI2CcJHvj4s=',
      },
      original: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', ref: 'nixos-25.11' },
    },
    hm: {
      inputs: { nixpkgs: ['nixpkgs'] },
      locked: {
        type: 'git',
        url: 'https://example.org/hm.git',
        rev: 'b'.repeat(40),
        narHash: 'sha256-TCQmzlnaEAEaS0rG3/3YOs7JFLcjPV0xHI2CcJHvj4s=',
      },
    },
    src: {
      flake: false,
      locked: { type: 'path', path: './src', narHash: 'sha256-TCQmzlnaEAEaS0rG3/3YOs7JFLcjPV0xHI2CcJHvj4s=' },
      original: { type: 'path', path: './src' },
    },
  },
  root: 'root',
  version: 7,
};

/** Seeds of one target (bytes). `scratch` is a directory the caller removes. */
export async function seedsFor(target: string, scratch: string): Promise<Buffer[]> {
  fs.mkdirSync(scratch, { recursive: true });
  switch (target) {
    case 'nix-parser':
      return nixTexts().map((t) => Buffer.from(t));
    case 'shell':
      return shellSeeds().map((t) => Buffer.from(t));
    case 'cpio':
      return [makeCpio(scratch, FILES), makeCpio(scratch, FILES, 'crc'), makeCpio(scratch, SMALL)];
    case 'archive': {
      const initrd = segments(scratch, [
        { compression: 'none', files: SMALL },
        { compression: 'gzip', files: FILES },
      ]);
      // A gzip segment with a plain cpio right after it (padded to the 4-byte boundary only as
      // far as needed: the kernel reads a cpio there, with no zeros between).
      const gz = compress(makeCpio(scratch, FILES), 'gzip');
      const gzipThenCpio = Buffer.concat([
        gz,
        Buffer.alloc((4 - (gz.length % 4)) % 4),
        makeCpio(scratch, SMALL),
      ]);
      return [
        initrd,
        segments(scratch, [{ compression: 'lz4-legacy', files: FILES, format: 'crc' }]),
        uki(initrd),
        gzipThenCpio,
      ];
    }
    case 'nar':
      return narSeeds(scratch);
    case 'flake-lock':
      return [
        fs.readFileSync(path.join(ROOT, 'test/fixtures/demo/flake.lock')),
        Buffer.from(JSON.stringify(FOLLOWS_LOCK, null, 2)),
      ];
    case 'git-objects':
      return gitSeeds(scratch);
    case 'selftest':
      return [Buffer.from('ok'), Buffer.from('rejected')];
    default: {
      const m = /^decompress-(.*)$/.exec(target);
      if (!m) throw new Error(`no seeds for ${target}`);
      const codec = m[1] as FixtureSegment['compression'];
      const magicLen = { gzip: 2, zstd: 4, xz: 6, lzma: 3, bzip2: 3, 'lz4-legacy': 4, lz4: 4 }[
        codec as string
      ]!;
      return [
        compress(makeCpio(scratch, FILES), codec),
        compress(makeCpio(scratch, FILES, 'crc'), codec),
        compress(Buffer.concat([makeCpio(scratch, SMALL), makeCpio(scratch, FILES)]), codec),
      ].map((b) => b.subarray(magicLen));
    }
  }
}
