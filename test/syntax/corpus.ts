// The parser corpus: test/syntax/data/{ok,err}/*.nix and every rule fixture (realistic configs).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const DATA = new URL('./data/', import.meta.url).pathname;
const RULES = new URL('../rules/', import.meta.url).pathname;

export interface CorpusFile {
  readonly path: string;
  readonly name: string;
  readonly text: string;
  /** ok: must parse without errors (and real nix agrees); err: must report errors. */
  readonly expect: 'ok' | 'err' | 'fixture';
}

function nixFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...nixFiles(p));
    else if (name.endsWith('.nix')) out.push(p);
  }
  return out;
}

export function corpus(): CorpusFile[] {
  const files: CorpusFile[] = [];
  for (const kind of ['ok', 'err'] as const) {
    for (const p of nixFiles(join(DATA, kind)))
      files.push({
        path: p,
        name: `${kind}/${p.slice(p.lastIndexOf('/') + 1)}`,
        text: readFileSync(p, 'utf8'),
        expect: kind,
      });
  }
  for (const p of nixFiles(RULES))
    files.push({ path: p, name: p.slice(RULES.length), text: readFileSync(p, 'utf8'), expect: 'fixture' });
  return files;
}
