// Hostile variants of a good image for the fuzz tests: a few bytes overwritten, or cut short.
import fc from 'fast-check';

export function mutatedImages(good: Buffer): fc.Arbitrary<Buffer>[] {
  return [
    fc
      .array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      })
      .map((muts) => {
        const b = Buffer.from(good);
        for (const [i, v] of muts) b[i] = v;
        return b;
      }),
    fc.nat(good.length - 1).map((k) => good.subarray(0, k)),
  ];
}
