// The result of a boot rehearsal (nixboot/rehearse/start, docs/rehearse.md): the verdict, a
// timeline of the stage-1 events with their times since power-on (kernel, /init, each hook —
// a window bounded by the /init lines printed around it —, network, SSH, root wait or failure), the configuration lines behind a failure — each with a button to the
// .nix line and one to /init at its line inside the booted image — and the console's end.
import type { RehearseRequest } from '../../../../server/src/protocol';
import { Actions, esc, escLines, slug, type ReportKind } from '../html';
import { withoutMarkdown } from './closureDiff';

export interface RehearsalData {
  /** What was booted, as the command names it: `generation 3`, `the last build`. */
  readonly what: string;
  readonly result: RehearseRequest.Result;
}

type Event = RehearseRequest.Result['events'][number];

/** What each console event means, in words (the kinds of server/src/rehearse/console.ts). */
const LABEL: Record<string, string> = {
  kernel: 'kernel started',
  init: '/init started',
  network: 'network up',
  ssh: 'SSH listening',
  'root-wait': 'waiting for the root device',
  'stage1-fail': 'stage 1 failed (fail() menu)',
  'kernel-panic': 'kernel panic',
  'command-not-found': 'command not found',
  'unit-failed': 'unit failed',
  emergency: 'emergency mode',
  prompt: 'waiting at a prompt',
  timeout: 'time-out',
  'qemu-exit': 'QEMU stopped',
  cancelled: 'cancelled',
};
const BAD = new Set([
  'stage1-fail',
  'kernel-panic',
  'command-not-found',
  'unit-failed',
  'emergency',
  'prompt',
  'timeout',
  'qemu-exit',
]);

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

type Hook = NonNullable<RehearseRequest.Result['hooks']>[number];

/** The time column of a hook: its window ("1.8–2.1 s"), or what is known of it. */
function hookTime(h: Hook): string {
  const m = /^between (\d+\.\d) s and (\d+\.\d) s/.exec(h.when) ?? /^at (\d+\.\d) s/.exec(h.when);
  if (m) return m[2] ? `${m[1]}–${m[2]} s` : `${m[1]} s`;
  if (h.state === 'ran') return `≤ ${seconds(h.at)}`;
  if (h.state === 'started') return `> ${seconds(h.at)}`;
  return '—';
}

function eventLabel(e: Event): string {
  const base = LABEL[e.kind] ?? e.kind;
  if (e.kind === 'unit-failed' && e.unit) return `${base}: ${e.unit}`;
  if (e.kind === 'command-not-found' && e.script)
    return `${base} (${e.script}${e.line !== undefined ? ` line ${e.line}` : ''})`;
  return base;
}

export const rehearsal: ReportKind<RehearsalData> = {
  id: 'rehearsal',
  render({ what, result: r }) {
    const acts = new Actions();
    const title = `Rehearsal of ${what}: ${r.ok ? 'healthy' : r.verdict}`;
    const events = r.events.map((e) => ({
      t: e.t,
      html: `<li class="ev ${BAD.has(e.kind) ? 'bad' : 'good'}" data-kind="${esc(e.kind)}"><span class="dot" aria-hidden="true"></span>
<span class="t mono">${esc(seconds(e.t))}</span> <b>${esc(eventLabel(e))}</b>
<div class="line mono">${esc(e.text)}</div></li>`,
    }));
    // Hooks print nothing at their edges: each is placed by the /init lines printed around it
    // (server/src/rehearse/hooks.ts), so its time is a window, and says so.
    const hooks = (r.hooks ?? []).map((h) => {
      const open = acts.button(
        `${h.file.slice(h.file.lastIndexOf('/') + 1)}:${h.line}`,
        { kind: 'open', file: h.file, line: h.line - 1, character: Math.max(0, h.column - 1) },
        { title: `Open ${h.file} at line ${h.line}` },
      );
      const init = r.initrd
        ? acts.button(
            `/init ${h.initFirst}${h.initLast !== h.initFirst ? `–${h.initLast}` : ''}`,
            { kind: 'openInitrd', image: r.initrd, path: '/init', line: h.initFirst - 1 },
            { title: `Open /init inside ${r.initrd} at line ${h.initFirst}` },
          )
        : '';
      return {
        t: h.at,
        html: `<li class="ev hook ${h.state === 'ran' ? 'good' : h.state === 'started' ? 'bad' : 'idle'}" data-kind="hook" data-state="${esc(h.state)}"><span class="dot" aria-hidden="true"></span>
<span class="t mono">${esc(hookTime(h))}</span> <b>hook <code>${esc(h.option)}</code></b>
<div class="line">${esc(h.when)} <span class="acts">${open}${init}</span></div></li>`,
      };
    });
    const timeline = [...events, ...hooks]
      .sort((a, b) => a.t - b.t)
      .map((x) => x.html)
      .join('');
    const causes = r.causes
      .map((c) => {
        const open = acts.button(
          `Open ${c.file.slice(c.file.lastIndexOf('/') + 1)}:${c.line}`,
          { kind: 'open', file: c.file, line: c.line - 1, character: Math.max(0, c.column - 1) },
          { primary: true, title: `Open ${c.file} at line ${c.line}` },
        );
        const init =
          c.initLine !== undefined && r.initrd
            ? ` ${acts.button(`Open /init at line ${c.initLine}`, { kind: 'openInitrd', image: r.initrd, path: '/init', line: c.initLine - 1 }, { title: `Open /init inside ${r.initrd}` })}`
            : '';
        return `<li class="cause"><div><code>${esc(c.option)}</code> <span class="muted">${esc(c.file)}:${c.line}${c.initLine !== undefined ? ` · /init line ${c.initLine}` : ''}</span></div>
${c.text ? `<pre class="src">${escLines(c.text)}</pre>` : ''}<div class="acts">${open}${init}</div></li>`;
      })
      .join('');
    const body = `
<p class="verdict ${r.ok ? 'ok' : 'bad'}"><b>${r.ok ? '✓ Stage 1 is healthy' : `✗ ${esc(r.verdict)}`}</b> <span class="muted">after ${esc(seconds(r.timeMs))} (${esc(r.accel.accel.toUpperCase())})</span></p>
<p>${esc(r.summary)}</p>
<h2>Timeline</h2>
<ol class="timeline" aria-label="Stage-1 timeline">${timeline || '<li class="muted">The console said nothing the rehearsal recognises.</li>'}</ol>
<h2>Cause</h2>
${causes ? `<ul class="causes">${causes}</ul>` : `<p class="muted">${r.ok ? 'Nothing failed.' : 'No configuration line could be tied to this verdict.'}</p>`}
${r.ssh ? `<p>SSH: guest port ${r.ssh.guestPort} forwarded to 127.0.0.1:${r.ssh.hostPort}; ${r.ssh.banner ? `answered <code>${esc(r.ssh.banner)}</code>${r.ssh.atMs !== undefined ? ` after ${esc(seconds(r.ssh.atMs))}` : ''}` : 'never answered'}</p>` : ''}
${r.notes.length ? `<h2>Notes</h2><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<h2>Console (end)</h2>
<pre class="console" tabindex="0" aria-label="End of the serial console">${escLines(r.consoleTail ?? '')}</pre>`;
    return {
      title,
      key: `rehearsal:${what}`,
      body,
      style: STYLE,
      actions: acts.list,
      markdown: r.markdown,
      json: { what, ...withoutMarkdown(r) },
      fileName: `rehearsal-${slug(what)}`,
    };
  },
};

const STYLE = `
ol.timeline{list-style:none;margin:.5em 0;padding:0}
li.ev{position:relative;padding:0 0 10px 26px}
li.ev::before{content:'';position:absolute;left:6px;top:12px;bottom:-2px;width:2px;background:var(--vscode-panel-border,var(--vscode-descriptionForeground))}
li.ev:last-child::before{display:none}
li.ev .dot{position:absolute;left:0;top:3px;width:12px;height:12px;border-radius:50%;box-sizing:border-box;border:2px solid var(--vscode-testing-iconPassed,var(--vscode-charts-green));background:var(--vscode-editor-background)}
li.ev.bad .dot{border-color:var(--vscode-errorForeground)}
li.ev.bad b{color:var(--vscode-errorForeground)}
li.ev .t{display:inline-block;min-width:5.5em;color:var(--vscode-descriptionForeground)}
li.ev .line{color:var(--vscode-descriptionForeground);overflow-wrap:anywhere;margin-left:5.9em}
li.ev.hook .dot{border-style:dashed}
li.ev.hook.idle .dot{border-color:var(--vscode-descriptionForeground)}
li.ev.hook .acts{display:inline-flex;gap:6px;margin-left:6px}
li.ev.hook .acts button{font-size:.9em;padding:0 6px}
ul.causes{list-style:none;padding:0}
li.cause{margin:0 0 12px}
li.cause .acts{display:flex;gap:8px;margin-top:4px}
pre.src{margin:4px 0}
pre.console{max-height:24em;overflow:auto}
`;
