// Types for the parts of lz4js (plain JS, no bundled types) that the initrd engine uses.
declare module 'lz4js' {
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array | number[];
  export function decompressBlock(
    src: Uint8Array,
    dst: Uint8Array,
    sIndex: number,
    sLength: number,
    dIndex: number,
  ): number;
  export function compressBound(n: number): number;
}
