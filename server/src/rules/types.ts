// The shape of a rule and of what it reports. Plain data in, plain findings out: offsets into the
// file text, rule ids, edits. The LSP and the CLI translate them at their edges.
import type { Definition } from '../nixos/definitions';
import type { HostInfo } from '../nixos/hosts';
import type { StageOne } from '../nixos/release';
import type { ParseError, SyntaxNode } from '../syntax/tree';
import type { MeasuredSystem } from '../system/bootBudget';

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type SeveritySetting = Severity | 'off';

export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly newText: string;
}

export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
  /** Safe fixes are applied by `nixboot lint --fix`; all fixes are offered as code actions. */
  readonly safe: boolean;
  /** Preferred quick fix (the light bulb's first choice). */
  readonly preferred?: boolean;
}

export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly message: string;
  readonly fixes: readonly Fix[];
}

export interface RuleDocs {
  /** One sentence: what the rule finds. */
  readonly summary: string;
  /** Why it matters: the incident it prevents (Markdown). */
  readonly why: string;
  /** A configuration that triggers it (Nix). */
  readonly bad: string;
  /** The same configuration, fixed (Nix). */
  readonly good: string;
  /** What to do, and what the quick fix does (Markdown). */
  readonly fix: string;
  /** Where the facts come from (nixpkgs files, issues). */
  readonly references: readonly string[];
}

export interface Rule {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly docs: RuleDocs;
  check(ctx: RuleContext): void;
}

/** One parsed and resolved .nix file. */
export interface FileModel {
  readonly path: string;
  readonly text: string;
  readonly root: SyntaxNode;
  readonly errors: readonly ParseError[];
  readonly definitions: readonly Definition[];
  /**
   * Set when the file was not analysed, saying why (it is not Nix text, or it is over the size
   * limit): its tree is then one opaque token, with no errors and no definitions.
   */
  readonly notAnalysed?: string;
}

/** Every file being linted together (a workspace, or the CLI's arguments). */
export interface ProjectModel {
  readonly files: readonly FileModel[];
  readonly stageOne: StageOne;
  /**
   * The host the file is judged for (nixos/hosts.ts). `host.open`: it includes something the
   * linter could not read (`host.unreadable`), so no rule may claim that a setting is absent from
   * it. `host.placed === false`: no host includes the file; host-level absence rules stay quiet.
   */
  readonly host: HostInfo;
  /** Definitions whose path matches the dotted pattern ('*' = any one name), over all files. */
  definitions(pattern: string): Array<{ file: FileModel; def: Definition }>;
}

export interface ReportInput {
  readonly start: number;
  readonly end: number;
  readonly message: string;
  readonly fixes?: readonly Fix[];
  /** Overrides the rule's default severity for this finding (e.g. warning vs error by context). */
  readonly severity?: Severity;
}

export interface RuleContext {
  readonly file: FileModel;
  readonly project: ProjectModel;
  /**
   * The machine measured for this lint (`nixboot.systemRoot`, `nixboot lint --root`): its /boot
   * budget and which system it is. Absent when nothing was measured; rules that need it say nothing.
   */
  readonly system?: MeasuredSystem;
  /** Definitions of this file whose path matches the dotted pattern. */
  definitions(pattern: string): Definition[];
  report(f: ReportInput): void;
}
