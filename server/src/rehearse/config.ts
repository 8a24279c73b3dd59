// The configuration a rehearsed generation was built from: `.nix` files named by the user (files
// or directories), else the toplevel's `configuration.nix` (`system.copySystemConfiguration`).
// Bounded: at most 2000 files, 2 MiB each, 16 directory levels.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRegularFileSync } from '../files';
import type { ConfigSource } from './mapping';

const SKIP = new Set(['node_modules', 'result', '.git', '.direnv', '.jj']);
const MAX_FILES = 2000;
const MAX_BYTES = 2 * 1024 * 1024;

function nixFiles(p: string, out: string[], depth = 0): void {
  if (out.length >= MAX_FILES) return;
  const st = fs.statSync(p);
  if (st.isFile()) return void out.push(p);
  if (!st.isDirectory() || depth > 16) return;
  for (const e of fs
    .readdirSync(p, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith('.') || SKIP.has(e.name)) continue;
    const q = path.join(p, e.name);
    if (e.isDirectory()) nixFiles(q, out, depth + 1);
    else if (e.isFile() && e.name.endsWith('.nix') && out.length < MAX_FILES) out.push(q);
  }
}

/** Reads the configuration sources; throws (with the path) when a named path cannot be read. */
export function loadConfig(paths: readonly string[], toplevel?: string): ConfigSource[] {
  const files: string[] = [];
  for (const p of paths) {
    try {
      nixFiles(p, files);
    } catch (e) {
      throw new Error(`cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (!paths.length && toplevel && fs.existsSync(path.join(toplevel, 'configuration.nix')))
    files.push(path.join(toplevel, 'configuration.nix'));
  const out: ConfigSource[] = [];
  for (const f of files) {
    try {
      const b = readRegularFileSync(f);
      if (b.length <= MAX_BYTES) out.push({ path: f, text: b.toString('utf8') });
    } catch {
      /* unreadable: skipped */
    }
  }
  return out;
}
