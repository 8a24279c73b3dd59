// From what the console said back to the configuration: scripted stage 1 pastes each hook's text
// inline into `/init` (nixpkgs nixos/modules/system/boot/stage-1.nix substitutes the
// `@…Commands@` placeholders of stage-1-init.sh), so a hook's lines appear verbatim, in order, in
// the `/init` read from the initrd. The lint engine's hook analysis (rules/util scriptsOf, the
// shell analysis) gives each hook's text and its map back to the `.nix` file; finding that text
// in `/init` maps `/init: line N` to the hook and to the `.nix` line. systemd stage 1 failures
// name a unit, defined by `boot.initrd.systemd.services.<name>`.
import { analyzeFile, fileDefinitions } from '../analysis';
import { SCRIPTED_HOOKS } from '../nixos/stage1';
import { scriptsOf } from '../rules/util';
import { runsInScriptShell, type ShellAnalysis } from '../shell/analyze';
import { PLACEHOLDER_RE, type ShellScript } from '../shell/source';
import { lineStarts, positionAt } from '../text';
import type { FileModel } from '../rules/types';
import type { HookPlacement } from './hooks';

export interface ConfigSource {
  readonly path: string;
  readonly text: string;
}

export interface ConfigLocation {
  /** The option, e.g. `boot.initrd.network.postCommands` or `boot.initrd.systemd.services.foo`. */
  readonly option: string;
  readonly file: string;
  /** 1-based line and column in `file`. */
  readonly line: number;
  readonly column: number;
  /** 1-based line of `/init` the hook line was found at (scripted stage 1). */
  readonly initLine?: number;
  /** The hook's text on that line. */
  readonly text?: string;
}

interface HookScript {
  readonly option: string;
  readonly file: FileModel;
  readonly script: ShellScript;
  readonly shell: ShellAnalysis;
  /** Non-blank lines of the script: offset in the script text and a matcher. */
  readonly lines: ReadonlyArray<{ offset: number; text: string; re: RegExp }>;
}

interface Placed {
  readonly hook: HookScript;
  /** 1-based /init line of each of `hook.lines`. */
  readonly initLines: readonly number[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function matcher(line: string): RegExp {
  // `${…}` is unknown until evaluation: any text stands in for it.
  const parts = line.split(PLACEHOLDER_RE);
  const re = parts.map((p, i) => (i % 2 === 1 ? '.*' : escape(p))).join('');
  return new RegExp(`^${re}$`);
}

export class ConfigMap {
  private readonly files: FileModel[];
  private hooks?: HookScript[];
  private placed?: Placed[];

  constructor(
    sources: readonly ConfigSource[],
    private readonly initText?: string,
  ) {
    this.files = sources.map((s) => analyzeFile(s.path, s.text));
  }

  get empty(): boolean {
    return this.files.length === 0;
  }

  private hookScripts(): HookScript[] {
    if (this.hooks) return this.hooks;
    const out: HookScript[] = [];
    for (const file of this.files)
      for (const h of SCRIPTED_HOOKS)
        for (const def of fileDefinitions(file, h.pattern))
          for (const { script, shell } of scriptsOf(def)) {
            const lines: { offset: number; text: string; re: RegExp }[] = [];
            let off = 0;
            for (const l of script.text.split('\n')) {
              const t = l.trim();
              if (t && !t.startsWith('#'))
                lines.push({ offset: off + l.indexOf(t), text: t, re: matcher(t) });
              off += l.length + 1;
            }
            if (lines.length) out.push({ option: def.path.join('.'), file, script, shell, lines });
          }
    return (this.hooks = out);
  }

  /** Each hook found in /init, with the /init line of each of its lines. */
  private placements(): Placed[] {
    if (this.placed) return this.placed;
    const out: Placed[] = [];
    if (this.initText === undefined) return (this.placed = out);
    const init = this.initText.split('\n').map((l) => l.trim());
    for (const hook of this.hookScripts()) {
      const first = hook.lines[0]!.re;
      for (let k = 0; k < init.length; k++) {
        if (!first.test(init[k]!)) continue;
        const at: number[] = [];
        let i = k;
        for (const l of hook.lines) {
          while (i < init.length && (init[i] === '' || init[i]!.startsWith('#'))) i++;
          if (i >= init.length || !l.re.test(init[i]!)) break;
          at.push(i + 1);
          i++;
        }
        if (at.length === hook.lines.length) {
          out.push({ hook, initLines: at });
          break;
        }
      }
    }
    return (this.placed = out);
  }

  private locate(hook: HookScript, scriptOffset: number, initLine?: number, text?: string): ConfigLocation {
    const fileOffset = hook.script.toFile(scriptOffset);
    const pos = positionAt(lineStarts(hook.file.text), fileOffset);
    return {
      option: hook.option,
      file: hook.file.path,
      line: pos.line + 1,
      column: pos.character + 1,
      initLine,
      text,
    };
  }

  /** Each hook found in /init: its option, its first line in the configuration, and its first and last /init line. */
  hookPlacements(): HookPlacement[] {
    return this.placements().map((p) => {
      const loc = this.locate(p.hook, p.hook.lines[0]!.offset);
      return {
        option: loc.option,
        file: loc.file,
        line: loc.line,
        column: loc.column,
        initFirst: p.initLines[0]!,
        initLast: p.initLines[p.initLines.length - 1]!,
      };
    });
  }

  /** The hook line that `/init` line `n` (1-based) came from. */
  initLine(n: number): ConfigLocation | undefined {
    for (const p of this.placements()) {
      const i = p.initLines.indexOf(n);
      if (i >= 0) return this.locate(p.hook, p.hook.lines[i]!.offset, n, p.hook.lines[i]!.text);
    }
    return undefined;
  }

  /** Hooks present in /init whose top-level statements end PID 1 (`exit`, `return`, `exec CMD`): what makes `fail()` run when nothing else reported an error. */
  fatalStatements(): ConfigLocation[] {
    const out: ConfigLocation[] = [];
    for (const p of this.placements()) {
      const { hook } = p;
      for (const c of hook.shell.commands) {
        const name = c.name?.value;
        if (!c.name || !name || !['exit', 'return', 'exec'].includes(name)) continue;
        if (name === 'exec' && c.args.length < 2) continue;
        if (!runsInScriptShell(c, hook.shell)) continue;
        // The /init line: the hook line holding the statement.
        let idx = 0;
        for (let j = 0; j < hook.lines.length; j++) if (hook.lines[j]!.offset <= c.stmtStart) idx = j;
        out.push(
          this.locate(hook, c.stmtStart, p.initLines[idx], hook.script.text.slice(c.stmtStart, c.stmtEnd)),
        );
      }
    }
    return out;
  }

  /** The definition of a systemd stage-1 unit (`foo.service` → `boot.initrd.systemd.services.foo`). */
  unit(unit: string): ConfigLocation | undefined {
    const m = /^(.+)\.(service|mount|socket|target|timer|path)$/.exec(unit);
    if (!m) return undefined;
    const kind = m[2] === 'service' ? 'services' : `${m[2]}s`;
    const option = `boot.initrd.systemd.${kind}.${m[1]}`;
    for (const file of this.files) {
      const defs = [
        ...fileDefinitions(file, option),
        ...fileDefinitions(file, `${option}.*`),
        ...fileDefinitions(file, `${option}.*.*`),
      ];
      defs.sort((a, b) => a.binding.start - b.binding.start);
      const d = defs[0];
      if (!d) continue;
      const pos = positionAt(lineStarts(file.text), d.binding.start);
      return { option, file: file.path, line: pos.line + 1, column: pos.character + 1 };
    }
    return undefined;
  }
}
