// Renders a rule's documentation: the docs page (docs/rules/<id>.md), hover text and
// `nixboot explain`. One source: the `docs` field of the rule.
import type { Rule } from './types';

export function renderRuleDoc(rule: Rule): string {
  const d = rule.docs;
  return [
    `# ${rule.id}`,
    '',
    `**${rule.title}** — default severity: \`${rule.severity}\``,
    '',
    d.summary,
    '',
    '## Why',
    '',
    d.why,
    '',
    '## Example',
    '',
    '```nix',
    d.bad,
    '```',
    '',
    'Instead:',
    '',
    '```nix',
    d.good,
    '```',
    '',
    '## What to do',
    '',
    d.fix,
    '',
    '## Configuration',
    '',
    `Set \`"nixboot.rules.${rule.id}": "off" | "hint" | "info" | "warning" | "error"\` in VS Code settings, ` +
      `or silence one place with a comment \`# nixboot: ignore ${rule.id}\` on the line or the line above.`,
    '',
    '## References',
    '',
    ...d.references.map((r) => `- ${r}`),
    '',
  ].join('\n');
}

/** Short Markdown for a hover on a finding. */
export function renderRuleHover(rule: Rule): string {
  return [
    `**nixboot: ${rule.id}** — ${rule.title}`,
    '',
    rule.docs.why,
    '',
    `_What to do:_ ${rule.docs.fix}`,
  ].join('\n');
}
