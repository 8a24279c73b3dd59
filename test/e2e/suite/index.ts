// Entry point of the extension-host test suite (VS Code's `extensionTestsPath`): runs the mocha
// tests inside the real extension host with the real `vscode` API. Used by both runners:
// code-server through the payload route (test/e2e/run.mjs) and @vscode/test-electron
// (test/e2e/electron.mjs) for machines with internet.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';

export async function run(): Promise<void> {
  const here = __dirname; // test/e2e/out (bundled as CommonJS)
  const resultsFile =
    process.env.NIXBOOT_SUITE_RESULTS ?? join(here, '..', '..', '..', '.e2e', 'suite-results.json');
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  // A workspace without Nix files measures activation alone; the demo workspace runs everything.
  const nix = await vscode.workspace.findFiles('**/*.nix', undefined, 1);
  // A profile with a second extension for `nix` (the Nix IDE test double) runs the coexistence tests alone.
  const peer = vscode.extensions.getExtension('jnoortheen.nix-ide');
  mocha.addFile(
    join(here, peer ? 'coexistence.test.js' : nix.length > 0 ? 'extension.test.js' : 'activation.test.js'),
  );
  const results: Array<{ title: string; state: string; error?: string; ms?: number }> = [];
  await new Promise<void>((resolve, reject) => {
    const runner = mocha.run((failures) => {
      mkdirSync(dirname(resultsFile), { recursive: true });
      writeFileSync(resultsFile, JSON.stringify({ failures, results }, null, 2));
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed', ms: t.duration ?? 0 }));
    runner.on('fail', (t, err: Error) =>
      results.push({ title: t.fullTitle(), state: 'failed', error: `${err.message}\n${err.stack ?? ''}` }),
    );
  });
}
