// Rule unknown-boot-option: a misspelled option name under boot.*.
import { attrpathParts, bindingParts, DYNAMIC } from '../nixos/definitions';
import { closestName, optionIndex } from '../nixos/options';
import type { Rule } from './types';

export const rule: Rule = {
  id: 'unknown-boot-option',
  severity: 'warning',
  title: 'Misspelled boot option',
  docs: {
    summary:
      'An attribute path under `boot.` whose prefix is a known option set but whose next name is not an option there ' +
      'and is one or two typos away from one that is (`boot.intird.…`, `boot.initrd.network.ssh.hostkeys`).',
    why:
      'The NixOS module system rejects undefined options at evaluation ("The option `boot.intird\' does not exist"), ' +
      'but only when the configuration is built — often on the remote machine, or in CI, long after the edit. Worse, ' +
      'a misspelled name inside an open attribute set is accepted silently. Catching the typo while editing saves a ' +
      'round trip, and for boot options the one you meant (`initrd.network.ssh.enable`) is usually what keeps the ' +
      'machine reachable.',
    bad: 'boot.intird.network.enable = true;',
    good: 'boot.initrd.network.enable = true;',
    fix:
      'Use the suggested name; the quick fix replaces the misspelled segment (not applied by `--fix`). The option list ' +
      'comes from nixpkgs\' module sources (server/src/nixos/option-facts.json, made by scripts/extract-options.ts from ' +
      'the boot modules read so far), so the rule stays silent unless a known option is a close match: names declared ' +
      'by modules it has not read, names under open sets (`boot.initrd.luks.devices.<name>`, ' +
      '`boot.initrd.systemd.services.<name>`, `boot.kernel.sysctl.<key>`) and values below an option are never flagged.',
    references: [
      'server/src/nixos/option-facts.json (nixpkgs revisions listed in its "sources")',
      'nixpkgs lib/modules.nix (undefined options are an evaluation error)',
    ],
  },
  check(ctx) {
    const index = optionIndex();
    for (const def of ctx.file.definitions) {
      if (def.path[0] !== 'boot' || def.path.includes(DYNAMIC)) continue;
      const unknown = index.unknownSegment(def.path);
      if (!unknown || unknown.index === 0) continue;
      const { attrpath } = bindingParts(def.binding);
      if (!attrpath) continue;
      const parts = attrpathParts(attrpath);
      const partIndex = unknown.index - (def.path.length - parts.length);
      if (partIndex < 0) continue; // reported on the enclosing binding
      const part = parts[partIndex]!;
      const wrong = def.path[unknown.index]!;
      const suggestion = closestName(wrong, unknown.siblings);
      if (!suggestion) continue;
      const prefix = def.path.slice(0, unknown.index).join('.');
      const plain = part.type === 'token' && part.kind === 'ident';
      ctx.report({
        start: part.start,
        end: part.end,
        message: `\`${prefix}.${wrong}\` is not a NixOS option: did you mean \`${prefix}.${suggestion}\`? Evaluation fails with "The option \`${prefix}.${wrong}' does not exist".`,
        fixes: plain && /^[A-Za-z_][\w'-]*$/.test(suggestion)
          ? [{ title: `Change to ${suggestion}`, edits: [{ start: part.start, end: part.end, newText: suggestion }], safe: false, preferred: true }]
          : [],
      });
    }
  },
};
