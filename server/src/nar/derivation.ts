// Parser for `.drv` files (ATerm: `Derive([outputs],[inputDrvs],[inputSrcs],system,builder,[args],[env])`),
// the same data `nix derivation show` prints. Pure code.

export interface DerivationOutput {
  readonly path: string;
  /** For fixed-output derivations: `r:sha256` (recursive) or `sha256`, and the hash (base16). */
  readonly hashAlgo?: string;
  readonly hash?: string;
}

export interface Derivation {
  readonly outputs: Record<string, DerivationOutput>;
  /** Input derivation path → the outputs used. */
  readonly inputDrvs: Record<string, string[]>;
  readonly inputSrcs: string[];
  readonly system: string;
  readonly builder: string;
  readonly args: string[];
  readonly env: Record<string, string>;
}

class DerivationParseError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`invalid derivation at ${offset}: ${message}`);
    this.name = 'DerivationParseError';
  }
}

export function parseDerivation(text: string): Derivation {
  let pos = 0;
  const expect = (s: string): void => {
    if (!text.startsWith(s, pos)) throw new DerivationParseError(`expected '${s}'`, pos);
    pos += s.length;
  };
  const str = (): string => {
    expect('"');
    let out = '';
    for (;;) {
      if (pos >= text.length) throw new DerivationParseError('unterminated string', pos);
      const c = text[pos++]!;
      if (c === '"') return out;
      if (c === '\\') {
        const e = text[pos++];
        out += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : (e ?? '');
      } else out += c;
    }
  };
  const list = <T>(item: () => T): T[] => {
    expect('[');
    const out: T[] = [];
    if (text[pos] === ']') {
      pos++;
      return out;
    }
    for (;;) {
      out.push(item());
      if (text[pos] === ',') pos++;
      else break;
    }
    expect(']');
    return out;
  };
  const tuple = <T>(f: () => T): T => {
    expect('(');
    const v = f();
    expect(')');
    return v;
  };
  expect('Derive(');
  const outputs: Record<string, DerivationOutput> = {};
  for (const [name, path, hashAlgo, hash] of list(() =>
    tuple(() => [str(), (expect(','), str()), (expect(','), str()), (expect(','), str())]),
  )) {
    outputs[name!] = { path: path!, ...(hashAlgo ? { hashAlgo } : {}), ...(hash ? { hash } : {}) };
  }
  expect(',');
  const inputDrvs: Record<string, string[]> = {};
  for (const [p, outs] of list(() => tuple(() => [str(), (expect(','), list(str))] as const)))
    inputDrvs[p] = outs;
  expect(',');
  const inputSrcs = list(str);
  expect(',');
  const system = str();
  expect(',');
  const builder = str();
  expect(',');
  const args = list(str);
  expect(',');
  const env: Record<string, string> = {};
  for (const [k, v] of list(() => tuple(() => [str(), (expect(','), str())]))) env[k!] = v!;
  expect(')');
  return { outputs, inputDrvs, inputSrcs, system, builder, args, env };
}
