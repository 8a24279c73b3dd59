// Hash encodings used by Nix: base16, Nix base-32 and SRI (`sha256-<base64>`), and store path
// computation for fixed-output (content-addressed) paths. Pure code: no I/O.
import { createHash } from 'node:crypto';

/** Nix's base-32 alphabet (no e, o, t, u). */
const NIX32 = '0123456789abcdfghijklmnpqrsvwxyz';

export type HashBase = 'sri' | 'base16' | 'nix32' | 'base64';

export function toBase16(hash: Uint8Array): string {
  return Buffer.from(hash).toString('hex');
}

/** Nix base-32: the last 5-bit group is printed first (`printHash32` in nix `hash.cc`). */
export function toNix32(hash: Uint8Array): string {
  const len = Math.ceil((hash.length * 8) / 5);
  let s = '';
  for (let n = len - 1; n >= 0; n--) {
    const b = n * 5;
    const i = b >> 3;
    const j = b & 7;
    const c = (hash[i]! >> j) | (i + 1 < hash.length ? hash[i + 1]! << (8 - j) : 0);
    s += NIX32[c & 0x1f];
  }
  return s;
}

export function fromNix32(s: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const len = s.length;
  if (len !== Math.ceil((size * 8) / 5))
    throw new Error(`nix32 hash '${s}' has the wrong length for ${size} bytes`);
  for (let n = 0; n < len; n++) {
    const c = s[len - n - 1]!;
    const digit = NIX32.indexOf(c);
    if (digit < 0) throw new Error(`invalid character '${c}' in nix32 hash '${s}'`);
    const b = n * 5;
    const i = b >> 3;
    const j = b & 7;
    out[i] |= (digit << j) & 0xff;
    const carry = digit >> (8 - j);
    if (i + 1 < size) out[i + 1] |= carry;
    else if (carry) throw new Error(`invalid nix32 hash '${s}'`);
  }
  return out;
}

function toSri(hash: Uint8Array, algo = 'sha256'): string {
  return `${algo}-${Buffer.from(hash).toString('base64')}`;
}

export function formatHash(hash: Uint8Array, base: HashBase, algo = 'sha256'): string {
  switch (base) {
    case 'sri':
      return toSri(hash, algo);
    case 'base16':
      return toBase16(hash);
    case 'nix32':
      return toNix32(hash);
    case 'base64':
      return Buffer.from(hash).toString('base64');
  }
}

/**
 * Parses a SHA-256 hash written any way Nix accepts: SRI (`sha256-…`), `sha256:<base16|nix32|base64>`,
 * or a bare base16 / nix32 / base64 string. Throws a readable error otherwise.
 */
export function parseSha256(text: string): Uint8Array {
  let s = text.trim();
  if (s.startsWith('sha256-')) {
    const b = Buffer.from(s.slice(7), 'base64');
    if (b.length !== 32 || b.toString('base64') !== s.slice(7))
      throw new Error(`'${text}' is not a valid SRI sha256 hash`);
    return new Uint8Array(b);
  }
  if (/^[a-z0-9]+-/.test(s)) throw new Error(`'${text}' is not a sha256 hash (only sha256 is supported)`);
  if (s.startsWith('sha256:')) s = s.slice(7);
  if (/^[0-9a-fA-F]{64}$/.test(s)) return new Uint8Array(Buffer.from(s, 'hex'));
  if (s.length === 52) return fromNix32(s, 32);
  if (s.length === 44) {
    const b = Buffer.from(s, 'base64');
    if (b.length === 32) return new Uint8Array(b);
  }
  throw new Error(`'${text}' is not a sha256 hash (expected SRI, base16, nix32 or base64)`);
}

/** XOR-folds a hash to `size` bytes (`compressHash` in nix). */
function compressHash(hash: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < hash.length; i++) out[i % size] ^= hash[i]!;
  return out;
}

function sha256(s: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(s).digest());
}

const DEFAULT_STORE_DIR = '/nix/store';

/** Store path names: letters, digits and `+-._?=`, not starting with a dot, ≤ 211 characters. */
function checkStoreName(name: string): void {
  if (name.length === 0 || name.length > 211 || !/^[A-Za-z0-9+\-._?=]+$/.test(name) || name.startsWith('.')) {
    throw new Error(`'${name}' is not a valid store path name`);
  }
}

/** `makeStorePath(type, innerHash, name)`: `<storeDir>/<nix32(fold20(sha256(type:sha256:hex:storeDir:name)))>-<name>`. */
function makeStorePath(
  type: string,
  innerHash: Uint8Array,
  name: string,
  storeDir = DEFAULT_STORE_DIR,
): string {
  checkStoreName(name);
  const s = `${type}:sha256:${toBase16(innerHash)}:${storeDir}:${name}`;
  return `${storeDir}/${toNix32(compressHash(sha256(s), 20))}-${name}`;
}

/**
 * The store path of a fixed-output path with no references: what `nix-store --print-fixed-path
 * [--recursive] sha256 HASH NAME` prints, and where a flake input (name `source`) with a given
 * narHash lives.
 */
export function fixedOutputPath(
  hash: Uint8Array,
  name = 'source',
  recursive = true,
  storeDir = DEFAULT_STORE_DIR,
): string {
  if (recursive) return makeStorePath('source', hash, name, storeDir);
  const inner = sha256(`fixed:out:sha256:${toBase16(hash)}:`);
  return makeStorePath('output:out', inner, name, storeDir);
}
