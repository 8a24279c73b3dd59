// The language server under load (the bundled dist/server.js over stdio): while it takes a burst of
// 500 edits, 20 MB documents, 256 KB stage-1 scripts, hostile requests and watched-file events on a
// FIFO, it keeps answering `nixboot/ping` — sent every 100 ms throughout — and it still lints
// correctly afterwards. Every ping must be answered and none may wait 5 s (a stall or a hang); the
// latencies themselves are printed, not asserted tightly: on 2 shared cores the same build gave a
// slowest ping of 0.4 s on a quiet machine and 1.3–2.3 s beside other work (a speed figure is a
// benchmark's, not a test's). The goal stays p50 well under 1 s on a quiet machine.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { frame, LspClient } from './client';
import { bigScript } from '../shell/bigScript';
import { PingRequest } from '../../server/src/protocol';
import { skipUnless } from '../nixEnv';

let dir: string;
let client: LspClient;

// A wall-clock bound says something about the server only when it gets the CPU: on a machine whose
// load is over twice its cores (a shared development box), the test is skipped and says why
// (NIXBOOT_FORCE_LOAD_TEST=1 runs it anyway).
const load = loadavg()[0]!;
const overloaded =
  !process.env.NIXBOOT_FORCE_LOAD_TEST && load > 2 * cpus().length
    ? `load average ${load.toFixed(1)} on ${cpus().length} cores: ping latencies would measure the machine, not the server`
    : false;

/** A module whose postDeviceCommands is a generated script of about `bytes`, ending in `exit`. */
function bigHook(bytes: number): string {
  const indented = bigScript(bytes).text.replace(/^/gm, '    ').replace(/\$\{/g, "''${");
  return `{ pkgs, ... }:\n{\n  boot.initrd.postDeviceCommands = ''\n${indented}    exit 1\n  '';\n}\n`;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nixboot-load-'));
  writeFileSync(join(dir, 'configuration.nix'), '{ boot.loader.systemd-boot.configurationLimit = 1; }\n');
  // A workspace file with a large hook: the background pass analyses it while we measure.
  writeFileSync(join(dir, 'hooks.nix'), bigHook(256 * 1024));
  client = new LspClient();
  await client.initialize(dir, { nixosRelease: '25.11' });
});

after(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

test(
  'pings are answered, none stalled, throughout a burst of edits, 20 MB documents, a 256 KB script, hostile requests and FIFO events (mkfifo)',
  { skip: skipUnless('mkfifo') || overloaded },
  async () => {
    // The 20 MB messages are built before the clock starts: the test measures the server, not the
    // time this process takes to serialise them.
    const huge = 'x'.repeat(20 * 1024 * 1024);
    const hugeA = pathToFileURL(join(dir, 'huge-a.nix')).href;
    const hugeB = pathToFileURL(join(dir, 'huge-b.nix')).href;
    const openA = frame({
      method: 'textDocument/didOpen',
      params: { textDocument: { uri: hugeA, languageId: 'nix', version: 1, text: `{ a = "${huge}"; }\n` } },
    });
    const openB = frame({
      method: 'textDocument/didOpen',
      params: { textDocument: { uri: hugeB, languageId: 'nix', version: 1, text: `# ${huge}\n{ }\n` } },
    });
    const changeA = frame({
      method: 'textDocument/didChange',
      params: {
        textDocument: { uri: hugeA, version: 2 },
        contentChanges: [{ text: `{ b = "${huge}"; }\n` }],
      },
    });
    const hook = pathToFileURL(join(dir, 'open-hook.nix')).href;
    const openHook = frame({
      method: 'textDocument/didOpen',
      params: { textDocument: { uri: hook, languageId: 'nix', version: 1, text: bigHook(256 * 1024) } },
    });
    const latencies: number[] = [];
    let unanswered = 0;
    const inFlight = new Set<Promise<unknown>>();
    const ping = () => {
      const t0 = performance.now();
      unanswered++;
      const p = client.conn.sendRequest(PingRequest.method, {}).then((r) => {
        unanswered--;
        latencies.push(performance.now() - t0);
        assert.deepEqual(r, { trusted: true });
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    };
    const timer = setInterval(ping, 100);
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    try {
      // 1. 500 edits in a burst on a small document; the last one must win.
      const small = pathToFileURL(join(dir, 'configuration.nix')).href;
      await client.open(small, '{ boot.loader.systemd-boot.configurationLimit = 1; }\n');
      for (let v = 2; v <= 501; v++)
        await client.change(
          small,
          `{ boot.loader.systemd-boot.configurationLimit = ${v % 2 === 0 ? 1 : 10}; }\n`,
          v,
        );

      // 2. A 256 KB stage-1 script in an open document: analysed off the main thread.
      await client.sendFramed(openHook);

      // 3. 20 MB documents, opened and edited.
      await client.sendFramed(openA);
      await pause(200);
      await client.sendFramed(openB);
      await pause(200);
      await client.sendFramed(changeA);

      // 4. Hostile requests: wrong, missing and huge params, unknown nixboot/ methods, requests on
      //    the 20 MB document. Each gets an answer (a result or an error), none hangs the server.
      const hostile: Array<[string, unknown]> = [
        ['nixboot/initrd/open', { file: 42 }],
        ['nixboot/initrd/open', null],
        ['nixboot/initrd/open', { file: `/${'a'.repeat(1024 * 1024)}` }],
        ['nixboot/initrd/readFile', { file: '/nonexistent', path: { toString: 1 }, start: -1, end: 1e300 }],
        ['nixboot/lock/verify', {}],
        ['nixboot/lock/findRev', { lockFile: '/dev/null', input: 'x', repo: '/', limit: -5 }],
        ['nixboot/generations/find', { pattern: '(a+)+$' }],
        ['nixboot/stageOne', { uri: hugeA }],
        ['nixboot/stageOne', [1, 2, 3]],
        ['nixboot/doesNotExist', {}],
        ['nixboot/', {}],
        ['nixboot/ping/../initrd/open', { file: '/' }],
        ['textDocument/hover', { textDocument: { uri: hugeA }, position: { line: 0, character: 5 } }],
        ['textDocument/codeLens', { textDocument: { uri: hugeB } }],
        ['textDocument/completion', { textDocument: { uri: hugeA }, position: { line: 0, character: 1e9 } }],
        [
          'textDocument/hover',
          { textDocument: { uri: 'file:///nowhere.nix' }, position: { line: -1, character: -1 } },
        ],
      ];
      const answers = await Promise.all(
        hostile.map(([m, p]) =>
          client.conn.sendRequest(m, p).then(
            () => 'result',
            (e: { code?: number }) => `error ${e.code}`,
          ),
        ),
      );
      assert.equal(answers.length, hostile.length);
      assert.ok(
        answers.includes('error -32601'),
        `unknown methods are MethodNotFound: ${answers.join(', ')}`,
      );

      // 5. Watched-file events on a FIFO named like a Nix file: never opened (a read would block
      //    the file-I/O pool); a real file changed afterwards is still read and linted.
      const fifo = join(dir, 'pipe.nix');
      execFileSync('mkfifo', [fifo]);
      await client.conn.sendNotification('workspace/didChangeWatchedFiles', {
        changes: Array.from({ length: 8 }, () => ({ uri: pathToFileURL(fifo).href, type: 2 })),
      });
      const later = join(dir, 'later.nix');
      writeFileSync(later, '{ nix.gc.options = "-d"; }\n');
      await client.conn.sendNotification('workspace/didChangeWatchedFiles', {
        changes: [{ uri: pathToFileURL(later).href, type: 1 }],
      });
      await client.waitForDiagnostics(
        pathToFileURL(later).href,
        (d) => d.some((x) => x.code === 'gc-deletes-all-generations'),
        60_000,
      );

      // The work the server was given is done, and right.
      const smallDiags = await client.waitForDiagnostics(
        small,
        (d) => !d.some((x) => x.code === 'rollback-generation-limit'),
        60_000,
      );
      assert.deepEqual(smallDiags, []);
      await client.waitForDiagnostics(hook, (d) => d.some((x) => x.code === 'initrd-script-exit'), 120_000);
      await client.waitForDiagnostics(
        pathToFileURL(join(dir, 'hooks.nix')).href,
        (d) => d.some((x) => x.code === 'initrd-script-exit'),
        120_000,
      );
      const hugeDiags = await client.waitForDiagnostics(hugeA, (d) => d.length > 0, 60_000);
      assert.equal(hugeDiags[0]!.code, 'file-not-analysed');
      assert.match(hugeDiags[0]!.message, /over the 2(\.0)? MiB limit for analysis/);
      // enough samples on a fast machine too, where the load above is over in under 2 s
      for (let i = 0; latencies.length < 20 && i < 100; i++) await pause(100);
    } finally {
      clearInterval(timer);
    }
    await Promise.all([...inFlight]);
    assert.equal(unanswered, 0);
    assert.ok(latencies.length >= 20, `${latencies.length} pings`);
    const max = Math.max(...latencies);
    const sorted = [...latencies].sort((a, b) => a - b);
    const p50 = sorted[Math.floor(sorted.length / 2)]!;
    process.stdout.write(`# ${latencies.length} pings: p50 ${p50.toFixed(0)} ms, max ${max.toFixed(0)} ms\n`);
    assert.ok(
      max < 5000,
      `slowest ping took ${max.toFixed(0)} ms (p50 ${p50.toFixed(0)} ms, ${latencies.length} pings)`,
    );
    assert.equal(client.stderr.join('').match(/Uncaught|FATAL|heap out of memory/), null);
  },
);
