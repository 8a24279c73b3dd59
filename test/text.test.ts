// Text taken from files never controls the terminal (issue 13, item 5): the printable() helper,
// the CLI's last-line terminalSafe() filter, and error messages that say what kind of data a file
// holds instead of quoting it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeData, printable, terminalSafe } from '../server/src/text';
import { parseFlakeLock } from '../server/src/nar/flakeLock';

const cases: [string, string | Uint8Array, string][] = [
  [
    'plain text is unchanged',
    'etc/systemd/system/dev-disk-by\\x2duuid.device',
    'etc/systemd/system/dev-disk-by\\x2duuid.device',
  ],
  ['unicode is unchanged', 'é/日本/🦀', 'é/日本/🦀'],
  ['ESC sequences (clear screen, cursor up)', 'a\x1b[2Jb\x1b[1A', 'a\\x1b[2Jb\\x1b[1A'],
  ['carriage return', 'ok\rFAKE', 'ok\\rFAKE'],
  ['newline and tab', 'x\ny\tz', 'x\\ny\\tz'],
  ['NUL, BEL, backspace, DEL', '\0\x07\x08\x7f', '\\x00\\x07\\x08\\x7f'],
  ['C1 CSI (U+009B) and NEL', 'a\u009b2Jb\u0085', 'a\\u009b2Jb\\u0085'],
  ['bidi overrides and isolates (Trojan Source)', 'admin\u202etxt.exe\u2066', 'admin\\u202etxt.exe\\u2066'],
  ['line and paragraph separators', 'a\u2028b\u2029', 'a\\u2028b\\u2029'],
  [
    'invalid UTF-8 bytes',
    Buffer.from([0x61, 0xff, 0x62, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
    'a\\xffb\\xc3(\\xed\\xa0\\x80',
  ],
  ['valid UTF-8 bytes', Buffer.from('né\u{1f980}', 'utf8'), 'né\u{1f980}'],
  ['overlong encoding of "/"', Buffer.from([0xc0, 0xaf]), '\\xc0\\xaf'],
  ['truncated sequence at the end', Buffer.from([0x61, 0xe2, 0x82]), 'a\\xe2\\x82'],
  ['an escape in bytes', Buffer.from('\x1b]0;title\x07'), '\\x1b]0;title\\x07'],
];

test('printable escapes control characters, bidi controls and invalid UTF-8; leaves the rest alone', () => {
  for (const [what, input, want] of cases) assert.equal(printable(input), want, what);
  for (const [, input] of cases) {
    const out = printable(input);
    assert.doesNotMatch(
      out,
      /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/,
      `nothing raw left in ${JSON.stringify(out)}`,
    );
  }
});

test('terminalSafe keeps lines and tabs, escapes every other control; JSON stays valid and equal', () => {
  assert.equal(terminalSafe('a\tb\nc\n'), 'a\tb\nc\n');
  assert.equal(terminalSafe('x\x1b[31my\rz\u009b'), 'x\\x1b[31my\\rz\\u009b');
  const value = { name: 'a\u009bb\u202ec\u2028d\x7f' };
  const json = JSON.stringify(value);
  const safe = terminalSafe(json);
  assert.doesNotMatch(safe, /[\x7f-\x9f\u2028\u202e]/);
  assert.deepEqual(JSON.parse(safe), value);
});

test('describeData names the kind of data, never its bytes', () => {
  const shadow = Buffer.from('root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n');
  assert.equal(describeData(shadow), 'looks like text');
  assert.equal(describeData(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0])), 'looks like an ELF file');
  assert.equal(
    describeData(Buffer.from([0x00, 0x9c, 0xff, 0x01, 0x02, 0x03])),
    'binary data of an unknown kind',
  );
  assert.equal(describeData(Buffer.alloc(0)), 'no data');
});

test('flake.lock errors do not quote the file', () => {
  for (const text of [
    'root:*:19000:0:99999:7:::\nsecret-token-xyz\n',
    '{"a": 1,, "secret-token-xyz": 2}',
    '{"version": 7, "root": "secret-token-xyz", "nodes": {}}',
  ]) {
    let message = '';
    try {
      parseFlakeLock(text);
    } catch (e) {
      message = (e as Error).message;
    }
    assert.ok(message.length > 0, text);
    assert.doesNotMatch(message, /root:\*|secret-token|19000/, message);
  }
});
