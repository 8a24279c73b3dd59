// Workspace trust in the manifest and the client: what package.json declares matches what the
// client enforces (client/src/trustPolicy.ts), and every command goes through the trust guard.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  commandNeedsTrust,
  COMMANDS_WITHOUT_TRUST,
  restrictedCommandMessage,
  RESTRICTED_STATUS,
  TRUST_ACTION,
} from '../../client/src/trustPolicy';

const ROOT = new URL('../..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
type MenuItem = { command: string; when?: string };

test('untrustedWorkspaces is "limited", and machine- and application-scoped settings are restricted configurations', () => {
  const u = pkg.capabilities.untrustedWorkspaces;
  assert.equal(u.supported, 'limited');
  assert.match(u.description, /only lints/);
  const machine = Object.entries(
    pkg.contributes.configuration.properties as Record<string, { scope?: string }>,
  )
    .filter(([, v]) => v.scope === 'machine' || v.scope === 'application')
    .map(([k]) => k);
  assert.ok(machine.includes('nixboot.systemRoot'));
  for (const k of machine)
    assert.ok(u.restrictedConfigurations.includes(k), `${k} is a restricted configuration`);
});

test('every command that needs trust is hidden from menus and the palette in Restricted Mode', () => {
  const commands = (pkg.contributes.commands as { command: string }[]).map((c) => c.command);
  for (const id of COMMANDS_WITHOUT_TRUST) assert.ok(commands.includes(id), `${id} is a contributed command`);
  const menus = pkg.contributes.menus as Record<string, MenuItem[]>;
  for (const id of commands) {
    if (!commandNeedsTrust(id)) continue;
    const palette = menus.commandPalette!.find((m) => m.command === id);
    assert.ok(
      palette && (palette.when === 'false' || /\bisWorkspaceTrusted\b/.test(palette.when ?? '')),
      `${id}: commandPalette needs "isWorkspaceTrusted"`,
    );
    for (const [menu, items] of Object.entries(menus)) {
      if (menu === 'commandPalette') continue;
      for (const m of items.filter((x) => x.command === id))
        assert.match(m.when ?? '', /(^|&& )isWorkspaceTrusted( &&|$)/, `${menu} → ${id}`);
    }
  }
  const welcome = pkg.contributes.viewsWelcome as { view: string; contents: string; when?: string }[];
  const restricted = welcome.find(
    (w) => w.view === 'nixboot.generations' && w.when === '!isWorkspaceTrusted',
  );
  assert.ok(restricted && restricted.contents.includes(`command:${TRUST_ACTION.command}`));
});

test('the policy denies by default: any nixboot command not listed needs trust', () => {
  assert.equal(commandNeedsTrust('nixboot.some.future.command'), true);
  assert.equal(commandNeedsTrust('nixboot.initrd.open'), true);
  assert.equal(commandNeedsTrust('nixboot.generations.show'), false);
  assert.equal(commandNeedsTrust('workbench.action.openSettings'), false);
  assert.match(
    restrictedCommandMessage('Open Initrd in Explorer'),
    /^"Open Initrd in Explorer" is off in Restricted Mode: .* Trust the workspace to use it\.$/,
  );
  assert.match(RESTRICTED_STATUS.text, /Restricted Mode: nixboot lints only/);
});

test('the client registers every command through the trust guard (client/src/trust.ts)', () => {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk(join(ROOT, 'client/src'));
  let guarded = 0;
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    if (f.endsWith('/trust.ts')) continue;
    assert.ok(
      !src.includes('vscode.commands.registerCommand('),
      `${f} registers a command around the trust guard`,
    );
    guarded += src.match(/\bregisterCommand\(\s*ctx,/g)?.length ?? 0; // a long call may break after '('
  }
  assert.equal(
    guarded,
    (pkg.contributes.commands as unknown[]).length,
    'every contributed command is registered through the guard',
  );
});
