// Which commands need workspace trust, and what Restricted Mode says. No `vscode` import: the
// policy is unit-tested against package.json (test/packaging/trust.test.ts).
//
// Deny by default: every nixboot command needs trust (it opens initrds, runs git, nix or a
// decompressor, or reads the system) except the ones listed here, which only show UI.

/** Commands that work in an untrusted workspace. */
export const COMMANDS_WITHOUT_TRUST: ReadonlySet<string> = new Set([
  'nixboot.generations.show',
  'nixboot.walkthrough.openConfiguration',
  'nixboot.walkthrough.showFix',
  'nixboot.walkthrough.fixApplied',
]);

export function commandNeedsTrust(id: string): boolean {
  return id.startsWith('nixboot.') && !COMMANDS_WITHOUT_TRUST.has(id);
}

/** Status bar text and tooltip in Restricted Mode. */
export const RESTRICTED_STATUS = {
  text: '$(shield) Restricted Mode: nixboot lints only',
  tooltip:
    'This workspace is not trusted, so nixboot only lints: it runs no git, nix or initrd decompressor on workspace files and shows no code lenses that would. Click to manage workspace trust.',
} as const;

/** The message when a command that needs trust is run in Restricted Mode. */
export function restrictedCommandMessage(title: string): string {
  return `"${title}" is off in Restricted Mode: it runs programs (git, nix, initrd decompressors) or reads files beyond the open documents, and this workspace is not trusted. Trust the workspace to use it.`;
}

/** The button that opens VS Code's workspace trust editor, and its command. */
export const TRUST_ACTION = { title: 'Manage Workspace Trust', command: 'workbench.trust.manage' } as const;
