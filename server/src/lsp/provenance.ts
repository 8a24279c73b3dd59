// LSP side of provenance: lock verify / inputs / find-rev, provenance chain, store path compare,
// and code lenses on flake.lock nodes ("narHash verified against …" / "mismatch" / "verify").
import type { CancellationToken, CodeLens, WorkDoneProgressReporter } from 'vscode-languageserver/node';
import { ResponseError } from 'vscode-languageserver/node';
import { fileURLToPath } from 'node:url';
import { diffTrees, loadTree, renderDiff } from '../nar/diff';
import { describeLocked, isGitLike, parseFlakeLock } from '../nar/flakeLock';
import {
  type FileLocation,
  type ProvenanceLink,
  LockCheckoutsRequest,
  LockFindRevRequest,
  LockInputsRequest,
  LockVerifyRequest,
  ProvenanceChainRequest,
  StorePathsCompareRequest,
} from '../protocol';
import { onRequest } from './typed';
import { dirname } from 'node:path';
import { statSync } from 'node:fs';
import { readRegularFileSync } from '../files';
import { lineStarts, positionAt, printable } from '../text';
import {
  findRevForInput,
  isInside,
  LockedLocationError,
  provenanceChain,
  readFlakeLock,
  verifyInput,
  type ChainResult,
  type VerifyResult,
} from '../system/provenance';
import { storePathWithin } from '../system/store';
import { findCheckouts } from '../system/checkouts';
import type { Feature, ServerEnv } from './env';

const fence = (s: string) =>
  `\`\`\`sh\n${printable(s).replace(/`{3,}/g, (m) => m.split('').join('\u200b'))}\n\`\`\``;
/** A value from a lock, repository or store as inline code: escaped, backticks cannot end the span. */
const code = (s: string) => `\`${printable(s).replace(/`/g, "'")}\``;
/** Free text from a repository (a commit subject) as markdown text: escaped, markup neutralised. */
const text = (s: string) => printable(s).replace(/[\\`*_[\]<>#|!~]/g, (c) => `\\${c}`);
const isoTime = (t: number): string =>
  Number.isFinite(t) && Math.abs(t) < 8.64e12 ? new Date(t * 1000).toISOString() : String(t);

function verifyMarkdown(r: VerifyResult): string {
  return [
    `# ${r.match ? '✅ narHash verified' : '❌ narHash mismatch'}: ${text(r.input)}`,
    '',
    `- Source: ${code(r.source)}`,
    `- locked.narHash: ${code(r.expected)}`,
    `- computed: \`${r.actual}\``,
    `- hashed: ${code(r.hashed)}`,
    ...(r.storePath ? [`- store path: ${code(r.storePath)}`] : []),
    ...(r.commit
      ? [`- commit: \`${r.commit.oid}\` ${isoTime(r.commit.time)} — ${text(r.commit.subject)}`]
      : []),
    ...r.notes.map((n) => `- note: ${text(n)}`),
    '',
    'Proof:',
    '',
    fence(r.proof),
    '',
  ].join('\n');
}

function chainMarkdown(r: ChainResult): string {
  const out = [`# Provenance of ${code(r.subject)}`, ''];
  r.links.forEach((l, i) => {
    out.push(`## ${i + 1}. ${l.title}${l.ok ? '' : ' ⚠'}`, '', code(l.value), '');
    for (const d of l.details) out.push(`- ${text(d)}`);
    out.push('', fence(l.proof), '');
  });
  for (const n of r.notes) out.push(`> ${text(n)}`, '');
  return out.join('\n');
}

/** Where the node `key` starts in a flake.lock (undefined when the file cannot be read or lacks it). */
function lockNodeLocation(lockFile: string, key: string): FileLocation | undefined {
  try {
    const text = readRegularFileSync(lockFile, 64 * 1024 * 1024).toString('utf8');
    const at = nodeKeyOffsets(text).get(key);
    return at === undefined ? undefined : { file: lockFile, ...positionAt(lineStarts(text), at) };
  } catch {
    return undefined;
  }
}

/** A regular file at `p`, opened at its start (store paths are often directories: those have none). Only stats, never opens. */
function fileStart(p: string): FileLocation | undefined {
  try {
    return statSync(p).isFile() ? { file: p, line: 0, character: 0 } : undefined;
  } catch {
    return undefined;
  }
}

/** The chain's links with the places the client can open for them. */
export function locateLinks(r: ChainResult, lockFile: string | undefined): ProvenanceLink[] {
  const deriver = r.links.find((l) => l.kind === 'deriver')?.value;
  return r.links.map((l): ProvenanceLink => {
    const location =
      l.kind === 'file'
        ? fileStart(l.value)
        : l.kind === 'deriver'
          ? fileStart(l.value)
          : l.kind === 'derivation' && deriver
            ? fileStart(deriver)
            : l.kind === 'lockInput' && lockFile && l.input
              ? lockNodeLocation(lockFile, l.input)
              : undefined;
    return location ? { ...l, location } : l;
  });
}

/** Offsets of the node keys of a flake.lock text (`"nodes": { "<key>": … }`). */
export function nodeKeyOffsets(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const stack: (string | undefined)[] = [];
  let pendingKey: string | undefined;
  let lastString: { value: string; at: number } | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const start = i;
      let v = '';
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\') i++;
        v += text[i];
      }
      lastString = { value: v, at: start };
    } else if (c === ':') {
      if (lastString) {
        pendingKey = lastString.value;
        if (stack.length === 2 && stack[1] === 'nodes' && !out.has(pendingKey))
          out.set(pendingKey, lastString.at);
      }
    } else if (c === '{' || c === '[') {
      stack.push(pendingKey);
      pendingKey = undefined;
    } else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') pendingKey = undefined;
    if (c !== '"' && c !== ' ' && c !== '\n' && c !== '\t' && c !== '\r' && c !== ':') lastString = undefined;
  }
  return out;
}

export const provenanceFeature: Feature = (env: ServerEnv) => {
  const { connection } = env;
  /** lockFile → node key → last verification (keyed by narHash so an edited lock is re-verified). */
  const verified = new Map<string, Map<string, { narHash: string; match: boolean; hashed: string }>>();

  const abortOn = (token: CancellationToken | undefined): AbortSignal => {
    const c = new AbortController();
    if (token?.isCancellationRequested) c.abort();
    token?.onCancellationRequested(() => c.abort());
    return c.signal;
  };
  const begin = (title: string, token: string | number | undefined): WorkDoneProgressReporter | undefined => {
    if (token === undefined) return undefined;
    const r = connection.window.attachWorkDoneProgress(token);
    r.begin(title, 0, undefined, true);
    return r;
  };
  const fail = (e: unknown): never => {
    if (e instanceof ResponseError) throw e;
    throw new ResponseError(1, (e as Error).message);
  };
  const abs = (p: unknown, what: string): string => {
    if (typeof p !== 'string' || !p.startsWith('/'))
      throw new ResponseError(1, `${what} must be an absolute path, got ${String(p)}`);
    return p;
  };

  // A path inside an image or virtual file system: only the store path named in it means anything here.
  const inStore = (p: unknown, what: string): string => {
    const sp = typeof p === 'string' ? storePathWithin(p) : undefined;
    if (!sp)
      throw new ResponseError(
        1,
        `${what} ${printable(String(p))} is inside an image and names no /nix/store path: there is nothing on this machine to trace`,
      );
    return sp.storePath + sp.sub;
  };

  onRequest(
    connection,
    LockInputsRequest,
    async (p: LockInputsRequest.Params): Promise<LockInputsRequest.Result> => {
      try {
        const lock = await readFlakeLock(abs(p.lockFile, 'lockFile'));
        return {
          inputs: lock.inputs.map((i) => ({
            name: i.paths[0] ?? i.key,
            key: i.key,
            type: i.locked.type,
            source: describeLocked(i.locked),
            narHash: i.locked.narHash,
            storePath: i.storePath,
            rev: i.locked.rev,
            lastModified: i.locked.lastModified,
            gitLike: isGitLike(i.locked.type),
          })),
        };
      } catch (e) {
        return fail(e);
      }
    },
  );

  onRequest(
    connection,
    LockVerifyRequest,
    async (p: LockVerifyRequest.Params, token): Promise<LockVerifyRequest.Result> => {
      const progress = begin(`Verifying ${p.input}`, p.workDoneToken);
      try {
        const lockFile = abs(p.lockFile, 'lockFile');
        const lock = await readFlakeLock(lockFile);
        let r: VerifyResult;
        try {
          r = await verifyInput(lock, p.input, {
            dir: p.dir ? abs(p.dir, 'dir') : undefined,
            git: p.gitRepo ? { repo: abs(p.gitRepo, 'gitRepo'), rev: p.rev } : undefined,
            signal: abortOn(token),
            lockDir: dirname(lockFile),
            // A location named by the lock is read only inside the workspace (docs/security.md).
            followLocked: (real) => env.workspaceFolders().some((f) => isInside(real, f)),
          });
        } catch (e) {
          // Elsewhere: the client asks the user to choose the checkout or repository (needsCheckout).
          if (e instanceof LockedLocationError)
            throw new ResponseError(
              1,
              `needsCheckout: ${e.message}: it is outside the workspace folders; choose the checkout or repository to verify against`,
            );
          throw e;
        }
        const m = verified.get(lockFile) ?? new Map();
        m.set(r.key, { narHash: r.expected, match: r.match, hashed: r.hashed });
        verified.set(lockFile, m);
        void connection.sendRequest('workspace/codeLens/refresh').then(undefined, () => undefined);
        const locked = lock.inputs.find((i) => i.key === r.key)?.locked;
        return {
          ...r,
          commit: r.commit && { oid: r.commit.oid, time: r.commit.time, subject: r.commit.subject },
          location: lockNodeLocation(lockFile, r.key),
          gitLike: locked ? isGitLike(locked.type) : false,
          markdown: verifyMarkdown(r),
        };
      } catch (e) {
        return fail(e);
      } finally {
        progress?.done();
      }
    },
  );

  onRequest(
    connection,
    LockFindRevRequest,
    async (p: LockFindRevRequest.Params, token): Promise<LockFindRevRequest.Result> => {
      const progress = begin(`Searching commits for ${p.input}`, p.workDoneToken);
      try {
        const lock = await readFlakeLock(abs(p.lockFile, 'lockFile'));
        let last = -1;
        const r = await findRevForInput(lock, p.input, {
          repo: abs(p.repo, 'repo'),
          limit: p.limit,
          signal: abortOn(token),
          onProgress: (done, total) => {
            const pct = Math.floor((100 * done) / Math.max(1, total));
            if (pct !== last) {
              last = pct;
              progress?.report(pct, `${done}/${total} commits`);
            }
          },
        });
        const matches = r.matches.map((c) => ({ oid: c.oid, time: c.time, subject: c.subject }));
        const markdown = [
          `# ${matches.length ? 'Commit found' : 'No commit found'} for ${text(p.input)}`,
          '',
          `narHash \`${r.narHash}\` — ${r.commitsConsidered} commits considered, ${r.treesHashed} distinct trees hashed (${r.stats.treesReused} subtrees reused).`,
          '',
          ...matches.map((c) => `- \`${c.oid}\` ${isoTime(c.time)} — ${text(c.subject)}`),
          '',
          fence(r.proof),
          '',
        ].join('\n');
        return {
          narHash: r.narHash,
          matches,
          commitsConsidered: r.commitsConsidered,
          treesHashed: r.treesHashed,
          proof: r.proof,
          markdown,
        };
      } catch (e) {
        return fail(e);
      } finally {
        progress?.done();
      }
    },
  );

  onRequest(
    connection,
    LockCheckoutsRequest,
    async (p: LockCheckoutsRequest.Params): Promise<LockCheckoutsRequest.Result> => {
      try {
        const lockFile = abs(p.lockFile, 'lockFile');
        const lock = await readFlakeLock(lockFile);
        const candidates = findCheckouts(lock, p.input, {
          roots: env.workspaceFolders(),
          lockDir: dirname(lockFile),
          // As for verify: a location the lock names is opened only inside the workspace (docs/security.md).
          followLocked: (real) => env.workspaceFolders().some((f) => isInside(real, f)),
        });
        return {
          candidates: candidates.map((c) => ({
            path: c.path,
            match: c.match,
            strong: c.strong,
            reasons: c.reasons,
            checked: c.checked,
          })),
        };
      } catch (e) {
        return fail(e);
      }
    },
  );

  onRequest(
    connection,
    ProvenanceChainRequest,
    async (p: ProvenanceChainRequest.Params, token): Promise<ProvenanceChainRequest.Result> => {
      const progress = begin('Tracing provenance', p.workDoneToken);
      try {
        const lockFile = p.lockFile ? abs(p.lockFile, 'lockFile') : undefined;
        const r = await provenanceChain(p.virtual ? inStore(p.path, 'path') : abs(p.path, 'path'), {
          lockFile,
          repo: p.repo ? abs(p.repo, 'repo') : undefined,
          signal: abortOn(token),
        });
        return { ...r, links: locateLinks(r, lockFile), lockFile, markdown: chainMarkdown(r) };
      } catch (e) {
        return fail(e);
      } finally {
        progress?.done();
      }
    },
  );

  onRequest(
    connection,
    StorePathsCompareRequest,
    async (p: StorePathsCompareRequest.Params): Promise<StorePathsCompareRequest.Result> => {
      try {
        const at = (x: 'a' | 'b') =>
          Array.isArray(p.virtual) && p.virtual.includes(x) ? inStore(p[x], x) : abs(p[x], x);
        const d = diffTrees(loadTree(at('a')), loadTree(at('b')));
        const report = renderDiff(d);
        return {
          identical: d.identical,
          changed: d.files.length,
          report,
          markdown: `# Compare\n\n- A: \`${p.a}\`\n- B: \`${p.b}\`\n\n\`\`\`\n${report}\`\`\`\n`,
        };
      } catch (e) {
        return fail(e);
      }
    },
  );

  env.addCodeLensProvider((doc): CodeLens[] => {
    if (!doc.uri.startsWith('file:') || !doc.uri.endsWith('/flake.lock')) return [];
    let lockFile: string;
    let lock;
    try {
      lockFile = fileURLToPath(doc.uri);
      lock = parseFlakeLock(doc.getText());
    } catch {
      return [];
    }
    const offsets = nodeKeyOffsets(doc.getText());
    const lenses: CodeLens[] = [];
    for (const input of lock.inputs) {
      const at = offsets.get(input.key);
      if (at === undefined || !input.locked.narHash) continue;
      const range = { start: doc.positionAt(at), end: doc.positionAt(at + input.key.length + 2) };
      const name = input.paths[0] ?? input.key;
      const v = verified.get(lockFile)?.get(input.key);
      const args = [lockFile, input.key];
      if (v && v.narHash.length > 0 && sameHash(v.narHash, input.locked.narHash)) {
        lenses.push({
          range,
          command: {
            title: v.match
              ? `$(pass) narHash verified against ${printable(v.hashed)}`
              : `$(error) narHash mismatch (${printable(v.hashed)})`,
            command: 'nixboot.lock.verify',
            arguments: args,
          },
        });
      } else {
        lenses.push({
          range,
          command: {
            title: `verify narHash of ${printable(name)}`,
            command: 'nixboot.lock.verify',
            arguments: args,
          },
        });
      }
      if (isGitLike(input.locked.type))
        lenses.push({
          range,
          command: { title: 'find commit', command: 'nixboot.lock.findRev', arguments: args },
        });
    }
    return lenses;
  });
};

function sameHash(a: string, b: string): boolean {
  return a === b || a.replace(/=+$/, '') === b.replace(/=+$/, '');
}
