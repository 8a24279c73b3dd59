// Rule syntax-error: Nix syntax errors, and shell syntax errors in stage-1 hooks.
import { SCRIPTED_HOOKS, SYSTEMD_STAGE1_SCRIPT_OPTIONS } from '../nixos/stage1';
import type { SyntaxElement, SyntaxNode, SyntaxToken } from '../syntax/tree';
import { TRIVIA } from '../syntax/tree';
import type { FileModel, ReportInput, Rule } from './types';
import { scriptsOf } from './util';

/** At most this many syntax-error findings per file; the last one says how many more there are. */
export const MAX_SYNTAX_FINDINGS = 20;

/** Whether the file holds no expression at all: only whitespace and comments (or nothing). */
function noExpression(file: FileModel): boolean {
  if (file.errors.length !== 1 || file.errors[0]!.start !== file.text.length) return false;
  return file.root.children.every((c) => c.type === 'token' && TRIVIA.has(c.kind));
}

/** The pipe-operator tokens (`|>`, `<|`) of a file, in order; only searched when the text has one. */
function pipeTokens(file: FileModel): SyntaxToken[] {
  if (!file.text.includes('|>') && !file.text.includes('<|')) return [];
  const out: SyntaxToken[] = [];
  const stack: SyntaxElement[] = [file.root];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.type === 'token') {
      if (e.kind === 'pipe_right' || e.kind === 'pipe_left') out.push(e);
      continue;
    }
    const n: SyntaxNode = e;
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return out;
}

export const rule: Rule = {
  id: 'syntax-error',
  severity: 'error',
  title: 'Syntax error',
  docs: {
    summary: 'A Nix syntax error in the file, or a shell syntax error in a stage-1 script.',
    why:
      'A Nix syntax error stops evaluation, so `nixos-rebuild` fails before anything is built. A shell syntax error ' +
      'in a scripted stage-1 hook fails the initrd build (nixpkgs checks `/init` with `sh -n` and `ash -n`, ' +
      'nixpkgs#48160); in a systemd stage-1 unit script it fails only at boot. nixboot keeps analysing the rest of a ' +
      'broken file, so every other finding is still shown. A file gets at most 20 syntax-error findings: the 20th says ' +
      'how many more there are (after the first mistake, later errors are often its echoes). An empty file, or one of ' +
      'only comments, is one warning: Nix cannot import it ("unexpected end of file"), but nothing fails unless a ' +
      'configuration imports it. The pipe operators `|>` and `<|` are accepted as Nix ≥ 2.24 parses them (experimental ' +
      'feature `pipe-operators`), with one hint per file that they need that Nix and feature. Files that are not Nix ' +
      'text at all (encrypted, binary, another language) get no syntax errors: see file-not-analysed.',
    bad: "boot.initrd.network.postCommands = ''\n  echo \"zfs load-key -a; killall zfs >> /root/.profile\n'';",
    good: "boot.initrd.network.postCommands = ''\n  echo \"zfs load-key -a; killall zfs\" >> /root/.profile\n'';",
    fix: 'Fix the syntax at the reported position. There is no automatic fix.',
    references: [
      'NixOS/nix src/libexpr/parser.y',
      'NixOS/nix doc/manual/source/release-notes/rl-2.24.md (pipe-operators)',
      'nixpkgs nixos/modules/system/boot/stage-1.nix (postInstall syntax check)',
      'NixOS/nixpkgs#48160',
    ],
  },
  check(ctx) {
    const file = ctx.file;
    const found: ReportInput[] = [];
    if (noExpression(file)) {
      const nl = file.text.indexOf('\n');
      found.push({
        start: 0,
        end: nl < 0 ? file.text.length : nl,
        severity: 'warning',
        message:
          file.text.trim() === ''
            ? 'The file is empty: it holds no Nix expression, so importing it fails ("syntax error, unexpected end of file").'
            : 'The file holds only comments, no Nix expression: importing it fails ("syntax error, unexpected end of file").',
      });
    } else
      for (const e of file.errors)
        found.push({
          start: e.start,
          end: Math.max(e.end, e.start),
          message: `Nix syntax error: ${e.message}`,
        });
    for (const pattern of [...SCRIPTED_HOOKS.map((h) => h.pattern), ...SYSTEMD_STAGE1_SCRIPT_OPTIONS]) {
      for (const def of ctx.definitions(pattern)) {
        for (const { script, shell } of scriptsOf(def)) {
          if (!shell.error) continue;
          const at = script.toFile(shell.error.index);
          found.push({
            start: at,
            end: at + 1,
            severity: 'warning',
            message: `Shell syntax error in ${def.path.join('.')}: ${shell.error.message}. Stage 1 runs this text with a shell; the build or the boot will fail here.`,
          });
        }
      }
    }
    // One broken spot can leave many errors behind it: the first ones are the useful ones.
    found.sort((a, b) => a.start - b.start);
    const shown = found.length > MAX_SYNTAX_FINDINGS ? found.slice(0, MAX_SYNTAX_FINDINGS) : found;
    if (shown !== found) {
      const last = shown[shown.length - 1]!;
      const more = found.length - MAX_SYNTAX_FINDINGS;
      shown[shown.length - 1] = {
        ...last,
        message: `${last.message} (and ${more} more syntax error${more === 1 ? '' : 's'} after this one in the file, not shown: fix the first ones and lint again)`,
      };
    }
    for (const f of shown) ctx.report(f);
    const pipes = pipeTokens(file);
    if (pipes.length > 0) {
      const p = pipes[0]!;
      const others = pipes.length - 1;
      ctx.report({
        start: p.start,
        end: p.end,
        severity: 'hint',
        message:
          `\`${p.text}\` is a pipe operator: it needs Nix ≥ 2.24 with \`experimental-features = pipe-operators\` (nix.conf or ` +
          `\`nix.settings.experimental-features\`); an older Nix, such as Debian's 2.8, reports a syntax error here` +
          (others > 0 ? ` (${others} more pipe operator${others === 1 ? '' : 's'} in this file).` : '.'),
      });
    }
  },
};
