// "Find Generations Containing…": the generations whose closure holds a matching store path,
// one foldable group per generation with its matches; Enter on a path shows its provenance, the
// group's button diffs that generation with the one before it.
import type { GenerationsFindRequest } from '../../../../server/src/protocol';
import { Actions, esc, filterBox, mdCode, slug, type ReportKind } from '../html';

export interface FindGenerationsData {
  readonly pattern: string;
  readonly result: GenerationsFindRequest.Result;
}

export const findGenerations: ReportKind<FindGenerationsData> = {
  id: 'findGenerations',
  rerun: { command: 'nixboot.generations.find', args: (d) => [d.pattern] },
  render({ pattern, result }) {
    const acts = new Actions();
    const title = `Generations containing “${pattern}”`;
    const total = result.results.reduce((n, g) => n + g.matches.length, 0);
    const bodies = [...result.results]
      .sort((a, b) => b.generation - a.generation)
      .map((g) => {
        const rows = g.matches
          .map(
            (m) =>
              `<tr class="row" ${acts.attr({ kind: 'command', command: 'nixboot.provenance.show', args: [m] })} data-text="${esc(m.toLowerCase())}" title="Enter: show the provenance of this store path"><td class="path">${esc(m)}</td></tr>`,
          )
          .join('');
        return `<tbody><tr class="group"><th scope="rowgroup"><button type="button" aria-expanded="true" data-group="gen-${g.generation}">gen ${g.generation} (<span class="count" data-total="${g.matches.length}">${g.matches.length}</span>)</button> ${acts.button(`Diff gen ${g.generation} with the one before`, { kind: 'command', command: 'nixboot.generations.diffPrevious', args: [g.generation] })}</th></tr>${rows}</tbody>`;
      })
      .join('');
    const body = result.results.length
      ? `<p class="muted">${result.results.length} generation${result.results.length === 1 ? '' : 's'}, ${total} matching store path${total === 1 ? '' : 's'}.</p>
${filterBox('found', 'Filter store paths')}
<table class="report" id="found" aria-label="${esc(title)}"><thead><tr><th scope="col">Store path</th></tr></thead>${bodies}</table>`
      : `<p>No generation's closure holds a store path matching ${esc(pattern)}.</p>`;
    const markdown = [
      `# Generations containing ${mdCode(pattern)}`,
      '',
      ...(result.results.length
        ? result.results.flatMap((x) => [
            `## gen ${x.generation}`,
            '',
            ...x.matches.map((m) => `- ${mdCode(m)}`),
            '',
          ])
        : ['No generation matches.', '']),
    ].join('\n');
    return {
      title,
      key: `findGenerations:${pattern}`,
      body,
      actions: acts.list,
      markdown,
      json: { pattern, ...result },
      fileName: `generations-containing-${slug(pattern)}`,
    };
  },
};
