// The one registry of rules. A rule's id equals its file name; the meta-test checks that every
// rule here has a doc page and fixtures that trigger it and fixtures that must not.
import { rule as gcDeletesAllGenerations } from './gc-deletes-all-generations';
import { rule as initrdMissingCommand } from './initrd-missing-command';
import { rule as initrdScriptExit } from './initrd-script-exit';
import { rule as rollbackGenerationLimit } from './rollback-generation-limit';
import { rule as syntaxError } from './syntax-error';
import type { Rule } from './types';

export const RULES: readonly Rule[] = [
  syntaxError,
  initrdScriptExit,
  initrdMissingCommand,
  rollbackGenerationLimit,
  gcDeletesAllGenerations,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
