// LSP front end of the initrd engine: the requests behind the `initrd:` file system, the
// inspector, the health check and the diff. Archives are opened once per file identity.
import * as fs from 'node:fs';
import {
  ResponseError,
  type CancellationToken,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver/node';
import { cacheKey, openArchive, InitrdError, type Archive, type CpioEntry } from '../initrd/archive';
import { checkArchive, generationKernelVersion } from '../initrd/check';
import { diffArchives } from '../initrd/diff';
import { diskUsage } from '../initrd/du';
import { labelImage, olderFirst, readHead, sniffImage } from '../initrd/identify';
import { readGenerations, type Generation } from '../system/generations';
import {
  InitrdCandidatesRequest,
  InitrdIdentifyRequest,
  type InitrdIdentity,
  InitrdCheckRequest,
  InitrdDiffRequest,
  InitrdInspectRequest,
  InitrdOpenRequest,
  InitrdReadDirectoryRequest,
  InitrdReadFileRequest,
  InitrdStatRequest,
} from '../protocol';
import { onRequest } from './typed';
import type { Feature, ServerEnv } from './env';

const MAX_READ = 64 * 2 ** 20;

function realpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

interface Opened {
  key: string;
  archive: Promise<Archive>;
}

export const initrdFeature: Feature = (env: ServerEnv) => {
  const { connection } = env;
  const open = new Map<string, Opened>();

  const abortOn = (token: CancellationToken | undefined): AbortSignal => {
    const c = new AbortController();
    if (token?.isCancellationRequested) c.abort();
    token?.onCancellationRequested(() => c.abort());
    return c.signal;
  };

  async function get(
    file: string,
    token?: CancellationToken,
    progress?: WorkDoneProgressReporter,
  ): Promise<Archive> {
    if (typeof file !== 'string' || !file.startsWith('/'))
      throw new ResponseError(1, `not an absolute path: ${String(file)}`);
    let key: string;
    try {
      key = cacheKey(file, fs.statSync(file));
    } catch (e) {
      throw new ResponseError(
        1,
        `cannot open ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    let o = open.get(file);
    if (!o || o.key !== key) {
      const signal = abortOn(token);
      let last = 0;
      const s = env.settings();
      const mib = Number(
        (s.initrd as { cacheLimitMiB?: unknown } | undefined)?.cacheLimitMiB ??
          s['initrd.cacheLimitMiB'] ??
          4096,
      );
      const cacheLimit = (Number.isFinite(mib) && mib > 0 ? mib : 4096) * 2 ** 20;
      o = {
        key,
        archive: openArchive(file, {
          cacheDir: env.cacheDir,
          onWarning: (m) => connection.console.warn(`nixboot: ${m}`),
          signal,
          cacheLimit,
          onProgress: (p) => {
            const pct = Math.floor((100 * p.offset) / Math.max(1, p.total));
            if (progress && pct !== last) {
              last = pct;
              progress.report(pct, `${p.entries} entries`);
            }
          },
        }),
      };
      open.set(file, o);
      o.archive.then(
        (a) => {
          for (const e of a.entries) {
            const m = /^\/lib\/modules\/([^/]+)\//.exec(e.path);
            if (m) return void kernelOf.set(file, m[1]);
          }
        },
        () => undefined,
      );
      o.archive.catch(() => {
        if (open.get(file) === o) open.delete(file);
      });
    }
    try {
      return await o.archive;
    } catch (e) {
      throw new ResponseError(
        1,
        e instanceof InitrdError ? e.message : `cannot open ${file}: ${(e as Error).message}`,
      );
    }
  }

  const begin = async (
    title: string,
    token: string | number | undefined,
  ): Promise<WorkDoneProgressReporter | undefined> => {
    if (token === undefined) return undefined;
    const r = connection.window.attachWorkDoneProgress(token);
    r.begin(title, 0, undefined, true);
    return r;
  };

  // Generations by the host path of the initrd they boot (under the system root), for names.
  let gens:
    | { root: string; at: number; byFile: Map<string, Generation[]>; list: Generation[]; error?: string }
    | undefined;
  const generationsOf = (rootParam?: string) => {
    const s = env.settings().systemRoot;
    const root = rootParam || (typeof s === 'string' && s.trim() ? s.trim() : '/');
    if (gens && gens.root === root && Date.now() - gens.at < 10_000) return gens;
    const byFile = new Map<string, Generation[]>();
    let list: Generation[] = [];
    let error: string | undefined;
    try {
      list = readGenerations({ root }).generations;
    } catch (e) {
      error = (e as Error).message;
    }
    for (const g of list) {
      if (!g.initrd) continue;
      const host = root === '/' ? g.initrd.path : `${root.replace(/\/+$/, '')}${g.initrd.path}`;
      for (const k of new Set([host, realpath(host)])) byFile.set(k, [...(byFile.get(k) ?? []), g]);
    }
    gens = { root, at: Date.now(), byFile, list, ...(error ? { error } : {}) };
    return gens;
  };
  env.onSettingsChanged(() => (gens = undefined));
  // Archives opened in this session, for the kernel version inside images of no generation.
  const kernelOf = new Map<string, string | undefined>();
  const identify = (file: string, root?: string): InitrdIdentity => {
    const head = readHead(file);
    const kind = head ? sniffImage(head) : undefined;
    const g = generationsOf(root);
    const of = g.byFile.get(file) ?? g.byFile.get(realpath(file)) ?? [];
    let mtime: string | undefined;
    try {
      mtime = fs.statSync(file).mtime.toISOString();
    } catch {
      /* gone: named by its path */
    }
    const label = labelImage({ file, generations: of, kernelVersion: kernelOf.get(file), mtime });
    return { file, ...(kind ? { kind } : {}), ...label };
  };

  onRequest(
    connection,
    InitrdIdentifyRequest,
    (p: InitrdIdentifyRequest.Params): InitrdIdentifyRequest.Result => {
      if (!Array.isArray(p?.files) || p.files.length > InitrdIdentifyRequest.MAX_FILES)
        throw new ResponseError(
          1,
          `identify takes a list of at most ${InitrdIdentifyRequest.MAX_FILES} paths`,
        );
      const images = p.files.map((f) =>
        typeof f === 'string' && f.startsWith('/')
          ? identify(f, p.root)
          : { file: String(f), name: String(f), title: `initrd: ${String(f)}` },
      );
      if (p.olderFirst && images.length === 2) {
        const [a, b] = olderFirst(
          { label: images[0]!, img: images[0]! },
          { label: images[1]!, img: images[1]! },
        );
        return { images: [a.img, b.img] };
      }
      return { images };
    },
  );

  onRequest(
    connection,
    InitrdCandidatesRequest,
    (p: InitrdCandidatesRequest.Params): InitrdCandidatesRequest.Result => {
      const g = generationsOf(p?.root);
      const seen = new Set<string>();
      const images: InitrdCandidatesRequest.Result['images'] = [];
      for (const gen of [...g.list].reverse()) {
        if (!gen.initrd) continue;
        const host = g.root === '/' ? gen.initrd.path : `${g.root.replace(/\/+$/, '')}${gen.initrd.path}`;
        if (seen.has(host)) continue;
        seen.add(host);
        images.push({
          ...identify(host, p?.root),
          current: g.list.some((x) => x.current && x.initrd?.path === gen.initrd?.path),
        });
      }
      return {
        images,
        ...(g.error
          ? { note: `no generations under ${g.root}: ${g.error}` }
          : images.length === 0
            ? { note: `no generation under ${g.root} has an initrd` }
            : {}),
      };
    },
  );

  const segs = (a: Archive) =>
    a.segments.map((s) => ({
      offset: s.offset,
      compression: s.compression,
      compressedSize: s.compressedSize,
      size: s.size,
      entries: s.entries,
    }));
  const resolvedType = (a: Archive, e: CpioEntry) =>
    e.type === 'symlink' ? a.resolve(e.path)?.type : undefined;

  onRequest(
    connection,
    InitrdOpenRequest,
    async (p: InitrdOpenRequest.Params, token): Promise<InitrdOpenRequest.Result> => {
      const progress = await begin('Opening initrd', p.workDoneToken);
      try {
        const a = await get(p.file, token, progress);
        return {
          file: a.file,
          segments: segs(a),
          entries: a.entries.length,
          ...(a.uki?.cmdline !== undefined ? { cmdline: a.uki.cmdline } : {}),
        };
      } finally {
        progress?.done();
      }
    },
  );

  onRequest(
    connection,
    InitrdStatRequest,
    async (p: InitrdStatRequest.Params, token): Promise<InitrdStatRequest.Result> => {
      const a = await get(p.file, token);
      const e = a.get(p.path);
      if (!e) return { exists: false };
      const rt = resolvedType(a, e);
      return {
        exists: true,
        type: e.type,
        ...(rt ? { resolvedType: rt } : {}),
        size: e.type === 'symlink' ? (a.resolve(e.path)?.size ?? 0) : e.size,
        mode: e.mode,
        mtime: e.mtime,
        ...(e.target !== undefined ? { target: e.target } : {}),
      };
    },
  );

  onRequest(
    connection,
    InitrdReadDirectoryRequest,
    async (p: InitrdReadDirectoryRequest.Params, token): Promise<InitrdReadDirectoryRequest.Result> => {
      const a = await get(p.file, token);
      const dir = a.resolve(p.path);
      if (!dir || dir.type !== 'dir') return { exists: false, entries: [] };
      return {
        exists: true,
        entries: a.list(dir.path).map((e) => {
          const rt = resolvedType(a, e);
          return {
            name: e.path.slice(e.path.lastIndexOf('/') + 1),
            type: e.type,
            ...(rt ? { resolvedType: rt } : {}),
          };
        }),
      };
    },
  );

  onRequest(
    connection,
    InitrdReadFileRequest,
    async (p: InitrdReadFileRequest.Params, token): Promise<InitrdReadFileRequest.Result> => {
      const a = await get(p.file, token);
      const e = a.resolve(p.path);
      if (!e) return { exists: false };
      if (e.type !== 'file')
        return {
          exists: true,
          size: 0,
          error: `${p.path} is a ${e.type === 'dir' ? 'directory' : e.type}, not a regular file`,
        };
      const start = Math.max(0, p.start ?? 0);
      const end = Math.min(e.size, p.end ?? e.size);
      if (end - start > MAX_READ)
        return {
          exists: true,
          size: e.size,
          error: `${p.path} is ${e.size} bytes: larger than the 64 MiB that can be opened in the editor (use \`nixboot initrd cat\`)`,
        };
      const bytes = await a.readEntry(e, { start, end });
      return { exists: true, size: e.size, data: bytes.toString('base64') };
    },
  );

  onRequest(
    connection,
    InitrdInspectRequest,
    async (p: InitrdInspectRequest.Params, token): Promise<InitrdInspectRequest.Result> => {
      const progress = await begin('Inspecting initrd', p.workDoneToken);
      try {
        const a = await get(p.file, token, progress);
        const du = diskUsage(a, 30);
        return {
          file: a.file,
          segments: segs(a),
          ...(a.uki?.cmdline !== undefined ? { cmdline: a.uki.cmdline } : {}),
          ...du,
          tree: sizeTree(a, 6),
        };
      } finally {
        progress?.done();
      }
    },
  );

  onRequest(
    connection,
    InitrdCheckRequest,
    async (p: InitrdCheckRequest.Params, token): Promise<InitrdCheckRequest.Result> => {
      const progress = await begin('Checking initrd', p.workDoneToken);
      try {
        const a = await get(p.file, token, progress);
        const kernelVersion = p.kernelVersion ?? generationKernelVersion(p.file);
        try {
          return { problems: await checkArchive(a, { kernelVersion, signal: abortOn(token) }) };
        } catch (e) {
          throw new ResponseError(1, (e as Error).message);
        }
      } finally {
        progress?.done();
      }
    },
  );

  onRequest(
    connection,
    InitrdDiffRequest,
    async (p: InitrdDiffRequest.Params, token): Promise<InitrdDiffRequest.Result> => {
      const progress = await begin('Comparing initrds', p.workDoneToken);
      try {
        const [a, b] = [await get(p.a, token, progress), await get(p.b, token, progress)];
        try {
          return await diffArchives(a, b, { signal: abortOn(token) });
        } catch (e) {
          throw new ResponseError(1, (e as Error).message);
        }
      } finally {
        progress?.done();
      }
    },
  );
};

/** Sizes of directories (hardlinked data counted once) up to `depth` levels, for the treemap. */
function sizeTree(a: Archive, depth: number): { path: string; size: number }[] {
  const sizes = new Map<string, number>();
  const seen = new Set<number>();
  for (const e of a.entries) {
    if (e.type !== 'file' || e.size === 0 || seen.has(e.dataOffset)) continue;
    seen.add(e.dataOffset);
    const parts = e.path.split('/').filter(Boolean);
    let p = '';
    sizes.set('/', (sizes.get('/') ?? 0) + e.size);
    for (let i = 0; i < Math.min(depth, parts.length); i++) {
      p += '/' + parts[i];
      sizes.set(p, (sizes.get(p) ?? 0) + e.size);
    }
  }
  return [...sizes].map(([path, size]) => ({ path, size }));
}
