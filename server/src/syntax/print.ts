// Printing the tree: the source text back (lossless), and a debug dump for golden files.
import type { SyntaxElement, SyntaxNode } from './tree';

export function printTree(root: SyntaxNode): string {
  let out = '';
  const visit = (e: SyntaxElement): void => {
    if (e.type === 'token') out += e.text;
    else for (const c of e.children) visit(c);
  };
  visit(root);
  return out;
}

/** `Kind@start..end` per node and `kind "text"` per token, indented by depth. */
export function debugTree(root: SyntaxNode): string {
  const lines: string[] = [];
  const visit = (e: SyntaxElement, depth: number): void => {
    const pad = '  '.repeat(depth);
    if (e.type === 'token') lines.push(`${pad}${e.kind}@${e.start}..${e.end} ${JSON.stringify(e.text)}`);
    else {
      lines.push(`${pad}${e.kind}@${e.start}..${e.end}`);
      for (const c of e.children) visit(c, depth + 1);
    }
  };
  visit(root, 0);
  return `${lines.join('\n')}\n`;
}
