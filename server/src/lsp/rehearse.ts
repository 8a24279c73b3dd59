// LSP side of boot rehearsal: nixboot/rehearse/start boots a generation in QEMU, streams its
// serial console to the client (nixboot/rehearse/console) and takes typed input back
// (nixboot/rehearse/input). Cancelling the request kills QEMU.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ResponseError, type CodeLens } from 'vscode-languageserver/node';
import { RehearseConsoleNotification, RehearseInputNotification, RehearseRequest } from '../protocol';
import { onNotification, onRequest, sendNotification } from './typed';
import { rehearse, resolveTarget, type Rehearsal, type RehearsalResult } from '../rehearse/rehearse';
import { loadConfig } from '../rehearse/config';
import { cleanLine } from '../rehearse/console';
import type { Feature } from './env';

function rehearsalMarkdown(r: RehearsalResult): string {
  const out = [
    `# Boot rehearsal: ${r.ok ? 'healthy' : r.verdict}`,
    '',
    r.summary,
    '',
    `Booted ${r.target.label} (${r.accel.accel}); kernel parameters \`${r.appended}\`.`,
    '',
  ];
  if (r.causes.length) {
    out.push('## Cause in the configuration', '');
    for (const c of r.causes)
      out.push(
        `- \`${c.option}\` at ${c.file}:${c.line}${c.text ? `: \`${c.text}\`` : ''}${c.initLine ? ` (/init line ${c.initLine})` : ''}`,
      );
    out.push('');
  }
  out.push('## Timeline', '', '| time | event | console |', '|---:|---|---|');
  // Hooks print nothing at their edges: each is placed by the /init lines printed around it (rehearse/hooks.ts).
  const rows = [
    ...r.events.map((e) => ({
      t: e.t,
      row: `| ${(e.t / 1000).toFixed(1)} s | ${e.kind} | \`${e.text.slice(0, 160).replace(/[|`]/g, ' ')}\` |`,
    })),
    ...r.hooks.map((h) => ({
      t: h.at,
      row: `| ${h.when.replace(/\|/g, ' ')} | hook \`${h.option}\` | ${path.basename(h.file)}:${h.line}, /init ${h.initFirst === h.initLast ? `line ${h.initFirst}` : `lines ${h.initFirst}–${h.initLast}`} |`,
    })),
  ];
  for (const x of rows.sort((a, b) => a.t - b.t)) out.push(x.row);
  out.push('');
  if (r.ssh)
    out.push(
      `SSH on 127.0.0.1:${r.ssh.hostPort} (guest port ${r.ssh.guestPort}): ${r.ssh.banner ? `\`${r.ssh.banner}\` after ${((r.ssh.atMs ?? 0) / 1000).toFixed(1)} s` : 'no banner'}.`,
      '',
    );
  if (r.secrets) out.push(r.secrets.note, '');
  for (const n of r.notes) out.push(`- ${n}`);
  return out.join('\n');
}

/**
 * The `result` link of the last `nixos-rebuild build` (or `nix build …toplevel`) for a
 * configuration.nix: looked for in the file's directory and its parents up to the workspace folder
 * that holds it (the flake may be above the host's file), else in the file's directory alone. Only a
 * link to a system toplevel counts (it has `kernel` and `initrd`).
 */
function lastBuild(file: string, folders: readonly string[]): string | undefined {
  const dir = path.dirname(file);
  const folder = folders
    .filter((f) => !path.relative(f, dir).startsWith('..') && !path.isAbsolute(path.relative(f, dir)))
    .sort((a, b) => b.length - a.length)[0];
  for (let d = dir; ; d = path.dirname(d)) {
    const result = path.join(d, 'result');
    try {
      if (
        fs.lstatSync(result).isSymbolicLink() &&
        fs.existsSync(path.join(result, 'kernel')) &&
        fs.existsSync(path.join(result, 'initrd'))
      )
        return result;
    } catch {
      /* no result here */
    }
    if (!folder || d === folder || path.dirname(d) === d) return undefined;
  }
}

export const rehearseFeature: Feature = (env) => {
  const { connection } = env;
  const running = new Map<string, Rehearsal>();

  // "Rehearse the last build" on a configuration.nix with a `result` of `nixos-rebuild build` near it.
  env.addCodeLensProvider((doc): CodeLens[] => {
    if (!doc.uri.startsWith('file:') || !doc.uri.endsWith('/configuration.nix')) return [];
    const result = lastBuild(fileURLToPath(doc.uri), env.workspaceFolders());
    if (!result) return [];
    let real = result;
    try {
      real = fs.realpathSync(result);
    } catch {
      /* shown as the link */
    }
    return [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        command: {
          title: 'Rehearse the last build',
          command: 'nixboot.rehearse.generation',
          tooltip: `Boot ${real} (${result}) in QEMU: its kernel and initrd, stage 1 up to the wait for the root device`,
          arguments: [{ path: result }],
        } as CodeLens['command'],
      },
    ];
  });

  onNotification(connection, RehearseInputNotification, (p: RehearseInputNotification.Params) => {
    if (p && typeof p.id === 'string' && typeof p.text === 'string')
      running.get(p.id)?.write(p.text.slice(0, 4096));
  });

  onRequest(
    connection,
    RehearseRequest,
    async (p: RehearseRequest.Params, token): Promise<RehearseRequest.Result> => {
      if (typeof p.id !== 'string' || running.has(p.id))
        throw new ResponseError(-32602, 'nixboot/rehearse/start needs a new string id');
      const c = new AbortController();
      token?.onCancellationRequested(() => c.abort());
      try {
        const s = env.settings().systemRoot;
        const root = p.root || (typeof s === 'string' && s.trim() ? s.trim() : '/');
        const target = resolveTarget({ root, profile: p.profile, generation: p.generation, path: p.path });
        const folders = env.workspaceFolders();
        const config = folders.length ? loadConfig(folders) : loadConfig([], target.toplevel);
        const h = rehearse(target, {
          accel: p.accel ?? 'auto',
          timeoutMs: Math.min(Math.max(p.timeoutSeconds ?? 90, 5), 3600) * 1000,
          config,
          cacheDir: env.cacheDir,
          signal: c.signal,
          onConsole: (text) =>
            void sendNotification(connection, RehearseConsoleNotification, { id: p.id, text }),
        });
        running.set(p.id, h);
        let r: RehearsalResult;
        try {
          r = await h.result;
        } finally {
          running.delete(p.id);
        }
        return {
          verdict: r.verdict,
          ok: r.ok,
          summary: r.summary,
          timeMs: r.timeMs,
          events: r.events.map((e) => ({
            t: e.t,
            kind: e.kind,
            text: e.text,
            ...(e.unit ? { unit: e.unit } : {}),
            ...(e.script ? { script: e.script, line: e.line } : {}),
          })),
          causes: [...r.causes],
          hooks: r.hooks.map((h) => ({
            option: h.option,
            file: h.file,
            line: h.line,
            column: h.column,
            initFirst: h.initFirst,
            initLast: h.initLast,
            state: h.state,
            at: h.at,
            when: h.when,
          })),
          initrd: r.target.initrd,
          consoleTail: consoleTail(r.console),
          ssh: r.ssh,
          secrets: r.secrets ? { paths: [...r.secrets.paths], note: r.secrets.note } : undefined,
          accel: r.accel,
          notes: [...r.notes],
          markdown: rehearsalMarkdown(r),
        };
      } catch (e) {
        throw new ResponseError(1, (e as Error).message ?? String(e));
      }
    },
  );
};

/** The end of the console for the report: the last 60 lines, at most 8 KiB. */
export function consoleTail(text: string): string {
  // Control sequences removed as for the timeline's lines (console.ts cleanLine).
  const lines = text.split('\n').map(cleanLine);
  while (lines.length && !lines[lines.length - 1]!.trim()) lines.pop();
  let tail = lines.slice(-60).join('\n');
  if (tail.length > 8192) tail = tail.slice(tail.length - 8192).replace(/^[^\n]*\n/, '');
  return tail;
}
