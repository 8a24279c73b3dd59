// Where an initrd's bytes go: by top-level directory, by /nix/store/<hash>-<name> path, and the
// largest files. Hardlinked data is counted once.
import type { Archive } from './archive';

export interface SizeItem {
  path: string;
  size: number;
  files: number;
}

export interface DiskUsage {
  total: number;
  files: number;
  topLevel: SizeItem[];
  storePaths: SizeItem[];
  largest: { path: string; size: number }[];
  /** Kernel module directories: version → module count and bytes. */
  kernelModules: { version: string; modules: number; size: number }[];
}

const STORE = /^\/nix\/store\/[0-9a-z]{32}-[^/]+/;

export function diskUsage(a: Archive, largestCount = 20): DiskUsage {
  const top = new Map<string, SizeItem>();
  const store = new Map<string, SizeItem>();
  const mods = new Map<string, { version: string; modules: number; size: number }>();
  const seen = new Set<number>();
  let total = 0;
  let files = 0;
  const largest: { path: string; size: number }[] = [];
  const add = (m: Map<string, SizeItem>, key: string, size: number) => {
    let it = m.get(key);
    if (!it) m.set(key, (it = { path: key, size: 0, files: 0 }));
    it.size += size;
    it.files++;
  };
  for (const e of a.entries) {
    if (e.type !== 'file') continue;
    // hardlinks share a data offset: count their bytes once
    const size = e.size > 0 && seen.has(e.dataOffset) ? 0 : e.size;
    if (e.size > 0) seen.add(e.dataOffset);
    total += size;
    files++;
    const first = e.path.split('/')[1] ?? '';
    add(top, '/' + first, size);
    const sm = STORE.exec(e.path);
    if (sm) add(store, sm[0], size);
    const km = /\/lib\/modules\/([^/]+)\/.*\.ko(\.(xz|zst|gz))?$/.exec(e.path);
    if (km) {
      let it = mods.get(km[1]!);
      if (!it) mods.set(km[1]!, (it = { version: km[1]!, modules: 0, size: 0 }));
      it.modules++;
      it.size += size;
    }
    largest.push({ path: e.path, size: e.size });
    if (largest.length > largestCount * 4) {
      largest.sort((x, y) => y.size - x.size);
      largest.length = largestCount;
    }
  }
  largest.sort((x, y) => y.size - x.size || (x.path < y.path ? -1 : 1));
  largest.length = Math.min(largest.length, largestCount);
  const bySize = (x: SizeItem, y: SizeItem) => y.size - x.size || (x.path < y.path ? -1 : 1);
  return {
    total,
    files,
    topLevel: [...top.values()].sort(bySize),
    storePaths: [...store.values()].sort(bySize),
    largest,
    kernelModules: [...mods.values()].sort((x, y) => (x.version < y.version ? -1 : 1)),
  };
}
