// flake.lock results with their next steps: "Verify flake.lock Input" (verified / mismatch, what
// was hashed, the proof) and "Find Commit Matching narHash" (the matching commits, each with a
// button that verifies the input against it).
import type { LockFindRevRequest, LockVerifyRequest } from '../../../../server/src/protocol';
import { Actions, esc, escLines, group, isoTime, slug, thead, type ReportKind } from '../html';
import { withoutMarkdown } from './closureDiff';

export interface LockVerifyData {
  readonly lockFile: string;
  readonly result: LockVerifyRequest.Result;
}

export interface LockFindRevData {
  readonly lockFile: string;
  /** The flake.lock node key that was searched for. */
  readonly input: string;
  readonly repo: string;
  readonly result: LockFindRevRequest.Result;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function row(label: string, value: string, mono = true): string {
  return `<tr><th scope="row">${esc(label)}</th><td class="${mono ? 'mono path' : ''}">${value}</td></tr>`;
}

const FACTS_STYLE = `
table.facts{border-collapse:collapse;margin:.6em 0}
table.facts th{text-align:left;font-weight:normal;color:var(--vscode-descriptionForeground);padding:2px 14px 2px 0;vertical-align:top;white-space:nowrap}
table.facts td{padding:2px 0;overflow-wrap:anywhere}
.verdict{font-size:1.2em;font-weight:600;margin:.8em 0 .2em}
`;

export const lockVerify: ReportKind<LockVerifyData> = {
  id: 'lockVerify',
  render({ lockFile, result: r }) {
    const acts = new Actions();
    const title = `flake.lock: ${r.match ? 'verified' : 'mismatch'} — ${r.input}`;
    const next = [
      r.location
        ? acts.button('Open flake.lock at this input', { kind: 'open', ...r.location }, { primary: true })
        : '',
      acts.button('Verify again…', {
        kind: 'command',
        command: 'nixboot.lock.verify',
        args: [lockFile, r.key],
      }),
      r.gitLike
        ? acts.button('Find the commit with this narHash…', {
            kind: 'command',
            command: 'nixboot.lock.findRev',
            args: [lockFile, r.key],
          })
        : '',
      r.storePath
        ? acts.button('Show provenance of the source', {
            kind: 'command',
            command: 'nixboot.provenance.show',
            args: [r.storePath],
          })
        : '',
      acts.button('Copy proof command', { kind: 'copy', text: r.proof }),
    ].join('');
    const body = `
<p class="verdict ${r.match ? 'ok' : 'bad'}">${r.match ? '✓ narHash verified' : '✗ narHash mismatch'}</p>
<p class="muted">${r.match ? `The content of ${esc(r.hashed)} hashes to the narHash the lock records.` : `${esc(r.hashed)} does not hash to the narHash the lock records: the lock, the checkout or the revision differs.`}</p>
<table class="facts">
${row('Input', esc(r.input))}
${row('Source', esc(r.source))}
${row('locked.narHash', esc(r.expected))}
${row('computed', `<span class="${r.match ? 'ok' : 'bad'}">${esc(r.actual)}</span>`)}
${row('hashed', esc(r.hashed))}
${r.storePath ? row('store path', esc(r.storePath)) : ''}
${r.commit ? row('commit', `${esc(r.commit.oid)} <span class="muted">${esc(isoTime(r.commit.time))}</span><br>${esc(r.commit.subject)}`) : ''}
${row('flake.lock', esc(lockFile))}
</table>
${r.notes.length ? `<ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<h2>Next steps</h2><div class="actions">${next}</div>
<h2>Proof</h2><pre>${escLines(r.proof)}</pre>`;
    return {
      title,
      key: `lockVerify:${lockFile}:${r.key}`,
      body,
      style: FACTS_STYLE,
      actions: acts.list,
      markdown: r.markdown,
      json: { lockFile, ...withoutMarkdown(r) },
      fileName: `verify-${slug(r.input)}`,
    };
  },
};

export const lockFindRev: ReportKind<LockFindRevData> = {
  id: 'lockFindRev',
  render({ lockFile, input, repo, result: r }) {
    const acts = new Actions();
    const found = r.matches.length > 0;
    const title = `Find commit: ${found ? `${r.matches.length} found` : 'none found'} — ${input}`;
    const cols = [{ label: 'Commit' }, { label: 'Date' }, { label: 'Subject' }, { label: '' }];
    const rows = r.matches
      .map(
        (c) =>
          `<tr class="row" ${acts.attr({ kind: 'command', command: 'nixboot.lock.verify', args: [lockFile, input, { gitRepo: repo, rev: c.oid }] })} title="Enter: verify ${esc(input)} against this commit"><td class="mono">${esc(c.oid)}</td><td class="num">${esc(isoTime(c.time))}</td><td>${esc(c.subject)}</td><td>${acts.button('Copy id', { kind: 'copy', text: c.oid })}</td></tr>`,
      )
      .join('');
    const next = found
      ? ''
      : `<h2>Next steps</h2><div class="actions">${acts.button('Search more commits (setting)', { kind: 'command', command: 'workbench.action.openSettings', args: ['nixboot.provenance.searchLimit'] }, { primary: true })}${acts.button('Verify against a checkout…', { kind: 'command', command: 'nixboot.lock.verify', args: [lockFile, input] })}</div>`;
    const body = `
<p class="verdict ${found ? 'ok' : 'warn'}">${found ? `✓ ${r.matches.length === 1 ? 'One commit has' : `${r.matches.length} commits have`} the locked narHash` : '✗ No commit with the locked narHash'}</p>
<table class="facts">
${row('Input', esc(input))}
${row('narHash', esc(r.narHash))}
${row('Repository', esc(repo))}
${row('Searched', `${plural(r.commitsConsidered, 'commit')}, ${plural(r.treesHashed, 'distinct tree')} hashed`, false)}
</table>
${found ? `<p class="muted">Enter on a commit verifies the input against it.</p><table class="report" id="commits" aria-label="Matching commits">${thead(cols)}${group('matches', 'Matching commits', r.matches.length, cols.length, rows, 'ok')}</table>` : ''}
${next}
<h2>Proof</h2><pre>${escLines(r.proof)}</pre>`;
    return {
      title,
      key: `lockFindRev:${lockFile}:${input}:${repo}`,
      body,
      style: FACTS_STYLE,
      actions: acts.list,
      markdown: r.markdown,
      json: { lockFile, input, repo, ...withoutMarkdown(r) },
      fileName: `find-rev-${slug(input)}`,
    };
  },
};
