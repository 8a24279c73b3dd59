// One "nixboot" output channel for the language server's log and the client's, filtered by the
// `nixboot.logLevel` setting (read on every line, so a change applies at once). The language
// client writes "[Error - 10:00:00] …", "[Warn  - …]", "[Info  - …]", "[Debug - …]" lines;
// lines without such a prefix (continuations, traces) follow the line before them.
import * as vscode from 'vscode';

import { lineLevel, shown } from './logPolicy';

export function createLogChannel(): vscode.OutputChannel {
  const channel = vscode.window.createOutputChannel('nixboot');
  let passing = true;
  const setting = () => vscode.workspace.getConfiguration('nixboot').get<string>('logLevel', 'info');
  const filter = (text: string): boolean => {
    const level = lineLevel(text);
    if (level !== undefined) passing = shown(level, setting());
    return passing;
  };
  return {
    name: channel.name,
    append: (v: string) => filter(v) && channel.append(v),
    appendLine: (v: string) => filter(v) && channel.appendLine(v),
    replace: (v: string) => channel.replace(v),
    clear: () => channel.clear(),
    show: (a?: unknown, b?: boolean) =>
      typeof a === 'boolean' ? channel.show(a) : channel.show(a as vscode.ViewColumn | undefined, b),
    hide: () => channel.hide(),
    dispose: () => channel.dispose(),
  };
}
