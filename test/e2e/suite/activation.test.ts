// Activation in a workspace without Nix files: nothing activates until a Nix document opens.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const METRICS_FILE = path.join(__dirname, '..', '..', '..', '.e2e', 'suite-metrics.json');

describe('activation without a Nix workspace', () => {
  it('stays inactive until a Nix document opens, then activates fast', async () => {
    const ext = vscode.extensions.getExtension<{ activationMs: number; serverReady: Promise<void> }>(
      'nixboot.nixboot',
    );
    assert.ok(ext);
    assert.equal(ext.isActive, false, 'not activated by a workspace without Nix files');
    await vscode.workspace.openTextDocument({
      language: 'nix',
      content: '{ boot.loader.systemd-boot.configurationLimit = 1; }\n',
    });
    const start = Date.now();
    while (!ext.isActive && Date.now() - start < 30_000) await new Promise((r) => setTimeout(r, 50));
    assert.equal(ext.isActive, true, 'activated by onLanguage:nix');
    const api = ext.exports;
    await api.serverReady;
    let all: Record<string, number> = {};
    try {
      all = JSON.parse(fs.readFileSync(METRICS_FILE, 'utf8'));
    } catch {
      // first metric
    }
    all.activationMsNoNixWorkspace = api.activationMs;
    fs.writeFileSync(METRICS_FILE, JSON.stringify(all, null, 2));
  });
});
