import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../lsp/client';
import { makeNixosProfile, type NixosProfile } from '../fixtures/nixosProfile';
import { nixEnv, skipUnless } from '../nixEnv';
import {
  GenerationsDiffRequest,
  GenerationsFindRequest,
  GenerationsListRequest,
  GenerationsSwitchCommandsRequest,
} from '../../server/src/protocol';

const skip = skipUnless('nix-build', 'nix-env', 'nix', 'cpio', 'zstd');
let dir: string;
let sys: NixosProfile;
let client: LspClient;

before(async () => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixboot-gen-lsp-'));
  sys = await makeNixosProfile({
    dir,
    generations: [
      { nixosVersion: '24.05.1.a', kernelVersion: '6.6.8', packages: { hello: '2.12' } },
      {
        nixosVersion: '24.05.2.b',
        kernelVersion: '6.6.9',
        kernelBytes: 1 << 20,
        initrdBytes: 4000,
        packages: { hello: '2.12.1' },
      },
    ],
    boot: { loader: 'systemd-boot', keep: 2 },
  });
  client = new LspClient(nixEnv());
  await client.initialize(dir, { systemRoot: sys.root });
});
after(async () => {
  if (client) await client.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test(
  'code lenses above configurationLimit and boot.initrd; list, diff, find requests (real nix)',
  { skip },
  async () => {
    const text = [
      '{ config, ... }:',
      '{',
      '  boot.loader.systemd-boot.configurationLimit = 100000000;',
      '  boot.initrd.availableKernelModules = [ "nvme" ];',
      '}',
      '',
    ].join('\n');
    const uri = pathToFileURL(path.join(dir, 'configuration.nix')).href;
    await client.open(uri, text);
    const lenses = (await client.conn.sendRequest('textDocument/codeLens', {
      textDocument: { uri },
    })) as Array<{ range: { start: { line: number } }; command?: { title: string; tooltip?: string } }>;
    const limit = lenses.find((l) => l.range.start.line === 2 && /generations/.test(l.command?.title ?? ''));
    assert.ok(limit, JSON.stringify(lenses));
    // The fixture's /boot is a directory on the test machine's disk: room for 100+ generations of its
    // size is ample, so no ⚠ however large the limit (test/generations/budget-rule.test.ts has a small /boot).
    assert.match(limit.command!.title, /^2 generations, 2 entries in \/boot, room for 100\+ more$/);
    assert.match(limit.command!.tooltip!, /kernel \+ initrd per new generation; .* free in /);
    const initrd = lenses.find((l) => l.range.start.line === 3);
    assert.equal(
      initrd?.command?.title,
      `Current initrd: ${sys.generations[1]!.initrdSize} B (generation 2, Linux 6.6.9)`,
    );

    const list = (await client.conn.sendRequest(
      GenerationsListRequest.method,
      {},
    )) as GenerationsListRequest.Result;
    assert.deepEqual(
      list.generations.map((g) => [g.generation, g.kernelVersion, g.current]),
      [
        [1, '6.6.8', false],
        [2, '6.6.9', true],
      ],
    );
    assert.equal(
      list.budget.nextGenerationBytes,
      sys.generations[1]!.kernelSize + sys.generations[1]!.initrdSize,
    );
    // Paths on this machine come with the list: the view opens and compares them as they are.
    const g2 = list.generations[1]!;
    assert.equal(g2.hostStorePath, `${sys.root}${g2.storePath}`);
    assert.equal(g2.initrd?.hostPath, `${sys.root}${g2.initrd!.path}`);

    const diff = (await client.conn.sendRequest(GenerationsDiffRequest.method, {
      a: 'previous',
      b: 'current',
    })) as GenerationsDiffRequest.Result;
    assert.deepEqual([diff.from, diff.to], [1, 2]);
    assert.match(diff.markdown, /\| hello \| 2\.12 → 2\.12\.1 \|/);
    const found = (await client.conn.sendRequest(GenerationsFindRequest.method, {
      pattern: 'hello-2\\.12\\.1',
    })) as GenerationsFindRequest.Result;
    assert.deepEqual(
      found.results.map((r) => r.generation),
      [2],
    );
    await assert.rejects(
      client.conn.sendRequest(GenerationsDiffRequest.method, { a: '1', b: '7' }),
      /no generation '7'/,
    );

    // The profile commands come from the engine, built for this recovery root (the client only shows and runs them).
    const back = await client.request(GenerationsSwitchCommandsRequest, { action: 'rollback' });
    assert.equal(back.generation, 1);
    assert.deepEqual(back.commands, [
      `sudo nix-env --store ${sys.root} -p ${sys.root}/nix/var/nix/profiles/system --switch-generation 1`,
      `sudo nixos-enter --root ${sys.root} -c 'NIXOS_INSTALL_BOOTLOADER=1 /nix/var/nix/profiles/system/bin/switch-to-configuration boot'`,
    ]);
    assert.equal(
      back.effect,
      'The system profile goes back to generation 1 (24.05.1.a) in the recovery root.',
    );
    const set = await client.request(GenerationsSwitchCommandsRequest, {
      action: 'setBootDefault',
      generation: 'current',
    });
    assert.equal(set.generation, 2);
    assert.match(set.commands[0]!, / --switch-generation 2$/);
    await assert.rejects(
      client.request(GenerationsSwitchCommandsRequest, { action: 'setBootDefault', generation: '7' }),
      /no generation '7'/,
    );
  },
);
