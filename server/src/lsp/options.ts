// Boot-option help in the language server: hover on boot.*, nix.gc.* and fileSystems.* attribute
// paths (type, default, description from option-facts.json) and completion of option names after
// `boot.` and inside nested sets (`boot.initrd = { ne|` → network). The lint hover on findings is
// registered first and wins where both apply.
import {
  CompletionItemKind,
  MarkupKind,
  type CompletionItem,
  type Hover,
  type ServerCapabilities,
} from 'vscode-languageserver/node';
import { fileURLToPath } from 'node:url';
import { analyzeFile } from '../analysis';
import { attrpathParts, bindingParts, DYNAMIC, type Definition } from '../nixos/definitions';
import { optionIndex, renderOptionHover, type OptionIndex } from '../nixos/options';
import type { FileModel } from '../rules/types';
import { isNixDocument } from './analysisHost';
import { optionCompletionsEnabled, optionHoversEnabled } from './coexistence';
import { tooLargeToAnalyse, type ServerEnv } from './env';

const ROOTS = new Set(['boot', 'fileSystems', 'nix']);

function helped(path: readonly string[]): boolean {
  if (!ROOTS.has(path[0] ?? '')) return false;
  return path[0] !== 'nix' || path.length === 1 || path[1] === 'gc';
}

/** The option path an offset points at: the attribute-path segment under the cursor, with its prefix. */
function optionPathAt(
  defs: readonly Definition[],
  offset: number,
): { path: string[]; start: number; end: number } | undefined {
  let best: { path: string[]; start: number; end: number } | undefined;
  for (const def of defs) {
    const { attrpath } = bindingParts(def.binding);
    if (!attrpath || offset < attrpath.start || offset > attrpath.end) continue;
    const parts = attrpathParts(attrpath);
    const base = def.path.length - parts.length;
    if (base < 0) continue;
    parts.forEach((p, k) => {
      if (offset < p.start || offset > p.end) return;
      const path = def.path.slice(0, base + k + 1) as string[];
      if (!best || path.length > best.path.length) best = { path, start: p.start, end: p.end };
    });
  }
  return best;
}

/** Hover text for the option under `offset`, or null. `model`: the file's model when the caller has it (the language server's analysis host). */
export function optionHover(
  text: string,
  offset: number,
  index: OptionIndex = optionIndex(),
  path = 'untitled.nix',
  model: Pick<FileModel, 'definitions'> = analyzeFile(path, text),
): Hover | null {
  const at = optionPathAt(model.definitions, offset);
  if (!at || at.path.includes(DYNAMIC) || !helped(at.path)) return null;
  const hit = index.lookup(at.path);
  let value: string;
  if (hit) value = renderOptionHover(hit.dotted, hit.fact);
  else {
    const children = index.childrenOf(at.path);
    if (children.length === 0) return null;
    const shown = children
      .slice(0, 40)
      .map((c) => `\`${c.name}\``)
      .join(', ');
    value = `**${index.canonical(at.path)}** — option set: ${shown}${children.length > 40 ? ', …' : ''}`;
  }
  return { contents: { kind: MarkupKind.Markdown, value } };
}

const WORD_RE = /[A-Za-z0-9_'\-.]*$/;

/**
 * Completion items for the attribute path being typed at `offset`: the segments typed before the
 * cursor (`boot.initrd.ne`) plus the path of the attribute set the cursor is in (`boot.initrd = {`).
 */
export function optionCompletions(
  text: string,
  offset: number,
  index: OptionIndex = optionIndex(),
): CompletionItem[] {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const word = WORD_RE.exec(before)?.[0] ?? '';
  // Not an attribute name position: after `=` on the same binding, or inside a string.
  const head = before.slice(0, before.length - word.length);
  const quotes = (head.replace(/\\./g, '').match(/"/g) ?? []).length;
  if (/=\s*[^;{]*$/.test(head) || quotes % 2 === 1) return [];
  const wordStart = offset - word.length;
  const typed = word.split('.');
  const partial = typed.pop() ?? '';
  // Parse without the word being typed, then find the innermost set (a definition's value) around it.
  const model = analyzeFile('completion.nix', text.slice(0, wordStart) + text.slice(offset));
  let enclosing: readonly string[] = [];
  let size = Infinity;
  for (const def of model.definitions) {
    const v = def.value;
    if (v.kind !== 'AttrSet' || wordStart <= v.start || wordStart >= v.end) continue;
    if (v.end - v.start < size) {
      size = v.end - v.start;
      enclosing = def.path;
    }
  }
  const prefix = [...enclosing, ...typed];
  if (prefix.length === 0 || prefix.includes(DYNAMIC) || !helped(prefix)) return [];
  const all = index.childrenOf(prefix);
  const lower = partial.toLowerCase();
  const starting = all.filter((c) => c.name.toLowerCase().startsWith(lower));
  return (starting.length > 0 ? starting : all.filter((c) => c.name.toLowerCase().includes(lower)))
    .filter((c) => prefix[0] !== 'nix' || prefix.length > 1 || c.name === 'gc')
    .map((c) => {
      const dotted = `${index.canonical(prefix)}.${c.name}`;
      return {
        label: c.name,
        kind: c.fact && !c.hasChildren ? CompletionItemKind.Property : CompletionItemKind.Module,
        detail: c.fact ? c.fact.type : 'option set',
        ...(c.fact
          ? { documentation: { kind: MarkupKind.Markdown, value: renderOptionHover(dotted, c.fact) } }
          : {}),
        sortText: `${c.fact?.internal ? '1' : '0'}${c.name}`,
      };
    });
}

export function optionsFeature(env: ServerEnv): Partial<ServerCapabilities> {
  const { connection, documents } = env;
  const pathOf = (uri: string) => (uri.startsWith('file:') ? fileURLToPath(uri) : uri);
  env.addHoverProvider((doc, offset) => {
    try {
      // nil/nixd show option docs themselves (nixboot.hover.options, lsp/coexistence.ts).
      if (!isNixDocument(doc) || !optionHoversEnabled(env.settings(), env.peers())) return null;
      return optionHover(doc.getText(), offset, optionIndex(), pathOf(doc.uri), env.analysis.model(doc));
    } catch (e) {
      connection.console.error(`nixboot: option hover failed: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  });
  connection.onCompletion((params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc || tooLargeToAnalyse(doc.getText())) return [];
    // nil/nixd complete option names themselves (nixboot.completion.options, lsp/coexistence.ts).
    if (!optionCompletionsEnabled(env.settings(), env.peers())) return [];
    try {
      return optionCompletions(doc.getText(), doc.offsetAt(params.position));
    } catch (e) {
      connection.console.error(
        `nixboot: option completion failed: ${e instanceof Error ? e.message : String(e)}`,
      );
      return [];
    }
  });
  return { completionProvider: { triggerCharacters: ['.'], resolveProvider: false } };
}
