// Builds minimal ad-hoc-signed thin arm64 Mach-O files (Apple's embedded signature format:
// SuperBlob 0xfade0cc0 with one CodeDirectory 0xfade0c02, SHA-256 hashes of 4096-byte pages),
// for tests where no Apple linker is available.
import { createHash } from 'node:crypto';

export interface MachOOptions {
  /** Number of 4096-byte code pages before the signature (default 3). */
  readonly pages?: number;
  readonly identifier?: string;
  /** Fill byte for page i (default i + 1). */
  readonly fill?: (page: number) => number;
}

export function makeSignedMachO(opts: MachOOptions = {}): Buffer {
  const pages = opts.pages ?? 3;
  const pageSize = 4096;
  const codeLimit = pages * pageSize;
  const ident = Buffer.from(`${opts.identifier ?? 'hello'}\0`);
  const cdHeader = 88; // CodeDirectory version 0x20400
  const identOffset = cdHeader;
  const hashOffset = identOffset + ident.length;
  const cdLength = hashOffset + pages * 32;
  const sbLength = 20 + cdLength;
  const file = Buffer.alloc(codeLimit + sbLength);
  for (let p = 0; p < pages; p++)
    file.fill((opts.fill ?? ((i) => i + 1))(p), p * pageSize, (p + 1) * pageSize);
  // mach_header_64
  file.writeUInt32LE(0xfeedfacf, 0);
  file.writeUInt32LE(0x0100000c, 4); // CPU_TYPE_ARM64
  file.writeUInt32LE(0, 8);
  file.writeUInt32LE(2, 12); // MH_EXECUTE
  file.writeUInt32LE(1, 16); // ncmds
  file.writeUInt32LE(16, 20); // sizeofcmds
  file.writeUInt32LE(0, 24);
  file.writeUInt32LE(0, 28);
  // LC_CODE_SIGNATURE
  file.writeUInt32LE(0x1d, 32);
  file.writeUInt32LE(16, 36);
  file.writeUInt32LE(codeLimit, 40);
  file.writeUInt32LE(sbLength, 44);
  // SuperBlob (big endian)
  const sb = codeLimit;
  file.writeUInt32BE(0xfade0cc0, sb);
  file.writeUInt32BE(sbLength, sb + 4);
  file.writeUInt32BE(1, sb + 8);
  file.writeUInt32BE(0, sb + 12); // CSSLOT_CODEDIRECTORY
  file.writeUInt32BE(20, sb + 16);
  const cd = sb + 20;
  file.writeUInt32BE(0xfade0c02, cd);
  file.writeUInt32BE(cdLength, cd + 4);
  file.writeUInt32BE(0x20400, cd + 8);
  file.writeUInt32BE(0x20002, cd + 12); // adhoc | linker-signed
  file.writeUInt32BE(hashOffset, cd + 16);
  file.writeUInt32BE(identOffset, cd + 20);
  file.writeUInt32BE(0, cd + 24); // nSpecialSlots
  file.writeUInt32BE(pages, cd + 28);
  file.writeUInt32BE(codeLimit, cd + 32);
  file[cd + 36] = 32;
  file[cd + 37] = 2; // SHA-256
  file[cd + 38] = 0;
  file[cd + 39] = 12; // log2(4096)
  ident.copy(file, cd + identOffset);
  for (let p = 0; p < pages; p++) {
    createHash('sha256')
      .update(file.subarray(p * pageSize, (p + 1) * pageSize))
      .digest()
      .copy(file, cd + hashOffset + p * 32);
  }
  return file;
}
