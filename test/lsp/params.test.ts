// Hostile parameters on the nixboot/ requests (bundled server over stdio): null, arrays and
// primitives get a plain InvalidParams error naming the request, not an internal error from inside
// a handler; the server keeps answering.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LspClient } from './client';
import {
  InitrdOpenRequest,
  LockVerifyRequest,
  PingRequest,
  StageOneRequest,
} from '../../server/src/protocol';

let dir: string;
let client: LspClient;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nixboot-params-'));
  client = new LspClient();
  await client.initialize(dir, {});
});
after(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

test('null, array and primitive params are InvalidParams with a plain message', async () => {
  for (const method of [InitrdOpenRequest.method, LockVerifyRequest.method, StageOneRequest.method]) {
    for (const [params, what] of [
      [null, 'null'],
      [[1, 2, 3], 'an array'],
    ] as const) {
      const e = (await client.conn.sendRequest(method, params).then(
        () => assert.fail(`${method} answered ${JSON.stringify(params)}`),
        (x: { code: number; message: string }) => x,
      )) as { code: number; message: string };
      assert.equal(e.code, -32602, `${method}: ${e.message}`);
      assert.equal(
        e.message,
        `${method} expects an object of parameters (see docs/protocol.md), got ${what}`,
      );
    }
  }
  assert.deepEqual(await client.conn.sendRequest(PingRequest.method, null), { trusted: true });
});
