// The provenance chain as a vertical graph: binary → store path → path info → deriver →
// derivation → source → flake.lock input → commit. Each hop is a button: it opens the file the
// server located for it (the traced file, the .drv, the flake.lock node), verifies the commit
// against the lock, or copies the value. Each hop shows the command that proves it.
import type { ProvenanceChainRequest } from '../../../../server/src/protocol';
import { Actions, esc, slug, type Action, type ReportKind } from '../html';
import { withoutMarkdown } from './closureDiff';

export type ProvenanceData = ProvenanceChainRequest.Result;

type Link = ProvenanceData['links'][number];

function hopAction(l: Link, lockFile: string | undefined): { action: Action; hint: string } {
  if (l.location)
    return {
      action: { kind: 'open', ...l.location },
      hint: l.kind === 'lockInput' ? 'open flake.lock at this input' : 'open the file',
    };
  if (l.kind === 'commit' && lockFile && l.input)
    return {
      action: { kind: 'command', command: 'nixboot.lock.verify', args: [lockFile, l.input] },
      hint: 'verify this input against a checkout',
    };
  return { action: { kind: 'copy', text: l.value }, hint: 'copy' };
}

export const provenance: ReportKind<ProvenanceData> = {
  id: 'provenance',
  render(d) {
    const acts = new Actions();
    const title = `Provenance: ${d.subject.slice(d.subject.lastIndexOf('/') + 1) || d.subject}`;
    const hops = d.links
      .map((l, i) => {
        const { action, hint } = hopAction(l, d.lockFile);
        const state = l.ok ? 'proven' : 'unproven';
        return `<li class="hop ${state}">
<span class="dot" aria-hidden="true"></span>
<div class="hopbody">
<button type="button" class="link hoptitle" ${acts.attr(action)} aria-label="${i + 1}. ${esc(l.title)}: ${esc(l.value)} — ${esc(hint)}"><span class="muted">${i + 1}.</span> ${esc(l.title)}${l.ok ? '' : ' <span class="warn">⚠ not proven</span>'}</button>
<div class="value mono">${esc(l.value)}</div>
${l.details.length ? `<ul class="details">${l.details.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : ''}
<div class="proof"><code>$ ${esc(l.proof)}</code> ${acts.button('Copy command', { kind: 'copy', text: l.proof }, { title: 'Copy the command that proves this link' })}</div>
</div></li>`;
      })
      .join('');
    const body = `
<p class="mono path">${esc(d.subject)}</p>
<p class="muted">Each hop is proven by the command under it. Click a hop to open it or take the next step.</p>
<ol class="chain" aria-label="Chain of evidence">${hops}</ol>
${d.notes.length ? `<h2>Notes</h2><ul>${d.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
${d.lockFile ? '' : '<p class="muted">No flake.lock in the workspace: the chain stops at the sources.</p>'}`;
    return {
      title,
      key: `provenance:${d.subject}`,
      body,
      style: CHAIN_STYLE,
      actions: acts.list,
      markdown: d.markdown,
      json: withoutMarkdown(d),
      fileName: `provenance-${slug(d.subject.split('/').pop() ?? 'path')}`,
    };
  },
};

const CHAIN_STYLE = `
ol.chain{list-style:none;margin:1em 0;padding:0}
li.hop{position:relative;padding:0 0 18px 30px}
li.hop::before{content:'';position:absolute;left:8px;top:14px;bottom:-4px;width:2px;background:var(--vscode-panel-border,var(--vscode-descriptionForeground))}
li.hop:last-child::before{display:none}
li.hop .dot{position:absolute;left:2px;top:4px;width:14px;height:14px;border-radius:50%;box-sizing:border-box;border:2px solid var(--vscode-testing-iconPassed,var(--vscode-charts-green));background:var(--vscode-editor-background)}
li.hop.unproven .dot{border-color:var(--vscode-editorWarning-foreground)}
.hoptitle{font-weight:600;font-size:1.05em}
.value{margin:2px 0;overflow-wrap:anywhere}
ul.details{margin:2px 0;padding-left:18px;color:var(--vscode-descriptionForeground)}
.proof{display:flex;gap:8px;align-items:baseline;flex-wrap:wrap;margin-top:2px}
.proof code{color:var(--vscode-descriptionForeground);background:none;padding:0}
.proof button{padding:0 6px;font-size:.9em}
`;
