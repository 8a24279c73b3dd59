// Rule unknown-boot-option: a misspelled option name under boot.*.
import { attrpathParts, bindingParts, DYNAMIC, type Definition } from '../nixos/definitions';
import { moveVerdict } from '../nixos/option-moves';
import { closestName, optionIndex, splitOptionPath, type OptionFact } from '../nixos/options';
import type { Rule } from './types';

export const rule: Rule = {
  id: 'unknown-boot-option',
  severity: 'warning',
  title: 'Misspelled, renamed or removed boot option',
  docs: {
    summary:
      'An attribute path under `boot.` whose prefix is a known option set but whose next name is not an option there ' +
      'and is one or two typos away from one that is (`boot.intird.…`, `boot.initrd.network.ssh.hostkeys`); also a ' +
      'boot option NixOS has renamed (`boot.cleanTmpDir` → `boot.tmp.cleanOnBoot`, a warning at every rebuild) or ' +
      'removed (`boot.loader.grub.trustedBoot`, an evaluation error).',
    why:
      'The NixOS module system rejects undefined options at evaluation ("The option `boot.intird\' does not exist"), ' +
      'but only when the configuration is built — often on the remote machine, or in CI, long after the edit. Worse, ' +
      'a misspelled name inside an open attribute set is accepted silently. Catching the typo while editing saves a ' +
      'round trip, and for boot options the one you meant (`initrd.network.ssh.enable`) is usually what keeps the ' +
      'machine reachable.',
    bad: 'boot.intird.network.enable = true;',
    good: 'boot.initrd.network.enable = true;',
    fix:
      'Use the suggested name; the quick fix replaces the misspelled or renamed segments (not applied by `--fix`). The ' +
      "option list comes from nixpkgs' module sources (server/src/nixos/option-facts.json, made by " +
      'scripts/extract-options.ts from the NixOS modules that declare `boot.*`, `nix.gc.*` and `fileSystems.*`, with ' +
      'their `mkRenamedOptionModule`/`mkRemovedOptionModule` imports). Options of modules outside nixpkgs ' +
      "(lanzaboote's `boot.lanzaboote.*`, your own modules) are not in that list, so an unknown name is flagged only " +
      'when its parent is an option set the data knows completely and a known option there is one or two edits away; ' +
      'any other unknown name is assumed to come from a module the data does not cover and is left alone. Names under ' +
      'open sets (`boot.initrd.luks.devices.<name>`, `boot.initrd.systemd.services.<name>`, `boot.kernel.sysctl.<key>`) ' +
      'and values below an option are never flagged. If a third-party module declares a name that close to a nixpkgs ' +
      'one, silence it with `# nixboot: ignore unknown-boot-option`.\n\n' +
      '**When it stays silent, or says less.** The renamed/removed facts come from a 2026 nixpkgs, and a host pinned to an ' +
      'older one still has the old name. server/src/nixos/option-moves.ts dates the changes (the nixpkgs pull request that ' +
      'made each one, and the first release that has it); the release of the host comes from its pin (a release branch, or ' +
      "an unstable pin dated by the lock's `lastModified`, or the `nixboot.nixosRelease` setting). A pin that predates the " +
      'change gives nothing; a pin that has it gives a warning (with the quick fix); when it cannot tell (no date for that ' +
      'change, no pin, or a pin from about the time of the change) it gives a hint without fix.',
    references: [
      'server/src/nixos/option-facts.json (nixpkgs revisions listed in its "sources")',
      'nixpkgs lib/modules.nix (undefined options are an evaluation error)',
      'server/src/nixos/option-moves.ts (when each rename or removal was made: nixpkgs#204534, #183314, #82603, #404512, #495581, #530066)',
    ],
  },
  check(ctx) {
    const index = optionIndex();
    for (const def of ctx.file.definitions) {
      if (def.path[0] !== 'boot' || def.path.includes(DYNAMIC)) continue;
      const moved = index.movedAt(def.path);
      if (moved) {
        reportMoved(ctx, def, moved);
        continue;
      }
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
        fixes:
          plain && /^[A-Za-z_][\w'-]*$/.test(suggestion)
            ? [
                {
                  title: `Change to ${suggestion}`,
                  edits: [{ start: part.start, end: part.end, newText: suggestion }],
                  safe: false,
                  preferred: true,
                },
              ]
            : [],
      });
    }
  },
};

/** A renamed or removed option, reported on the binding whose attribute path holds its last segment. */
function reportMoved(
  ctx: Parameters<Rule['check']>[0],
  def: Definition,
  moved: { length: number; dotted: string; fact: OptionFact },
): void {
  const { attrpath } = bindingParts(def.binding);
  if (!attrpath) return;
  const parts = attrpathParts(attrpath);
  const base = def.path.length - parts.length; // path index of parts[0]
  const lastIndex = moved.length - 1 - base;
  if (lastIndex < 0 || lastIndex >= parts.length) return; // the enclosing (or a deeper) binding reports it
  const old = def.path.slice(0, moved.length);
  const first = parts[0]!;
  const last = parts[lastIndex]!;
  const { renamedTo, removed } = moved.fact;
  // The facts come from a 2026 nixpkgs: a host pinned before the change still has the old name.
  const verdict = moveVerdict(moved.dotted, ctx.project.stageOne.release);
  if (verdict.kind === 'predates') return;
  const unsure = verdict.kind === 'unknown';
  if (renamedTo !== undefined) {
    const target = splitOptionPath(renamedTo);
    // Replace from the first segment that differs, when this binding holds it (`boot.loader.grub.timeout` → `timeout`).
    let common = 0;
    while (common < old.length && common < target.length && old[common] === target[common]) common++;
    const fromPart = common - base;
    const plain = parts
      .slice(Math.max(fromPart, 0), lastIndex + 1)
      .every((p) => p.type === 'token' && p.kind === 'ident');
    const newText = target.slice(common).join('.');
    const fixes =
      !unsure &&
      fromPart >= 0 &&
      plain &&
      newText !== '' &&
      target.slice(common).every((t) => /^[A-Za-z_][\w'-]*$/.test(t))
        ? [
            {
              title: `Rename to ${renamedTo}`,
              edits: [{ start: parts[fromPart]!.start, end: last.end, newText }],
              safe: false,
              preferred: true,
            },
          ]
        : [];
    ctx.report({
      start: (fromPart >= 0 ? parts[fromPart]! : first).start,
      end: last.end,
      ...(unsure ? { severity: 'hint' as const } : {}),
      message: unsure
        ? `\`${moved.dotted}\` was renamed to \`${renamedTo}\` in newer NixOS; whether this host's nixpkgs has the rename is not known (${verdict.why}). If it does, NixOS warns at every rebuild; rename it when you update.`
        : `\`${moved.dotted}\` was renamed to \`${renamedTo}\`: NixOS still accepts it but warns at every rebuild ("The option \`${moved.dotted}' defined in … has been renamed to \`${renamedTo}'"; ${verdict.why}).`,
      fixes,
    });
    return;
  }
  ctx.report({
    start: last.start,
    end: last.end,
    ...(unsure ? { severity: 'hint' as const } : {}),
    message: unsure
      ? `\`${moved.dotted}\` was removed from newer NixOS; whether this host's nixpkgs has the removal is not known (${verdict.why}). If it does, evaluation fails ("The option \`${moved.dotted}' can no longer be used since it's been removed").${removed ? ` ${removed}` : ''}`
      : `\`${moved.dotted}\` was removed from NixOS, and this host's nixpkgs has the removal (${verdict.why}): evaluation fails ("The option \`${moved.dotted}' can no longer be used since it's been removed").${removed ? ` ${removed}` : ''}`,
    fixes: [],
  });
}
