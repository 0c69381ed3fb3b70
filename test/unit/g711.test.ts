// The webview's G.711 decoder against ffmpeg's expansion of every code (test/vectors/g711.vec).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { decodeG711, g711Table } from '../../src/webview/g711';

const vec = fs.readFileSync(path.join(__dirname, '..', 'vectors', 'g711.vec'), 'utf8');
const law = (name: string) => vec.match(new RegExp(`^${name} = (.*)$`, 'm'))![1].split(' ').map(Number);

for (const [codec, name] of [['g711a', 'alaw'], ['g711u', 'ulaw']] as const) {
  test(`${name}: every code expands as ffmpeg expands it`, () => {
    assert.deepEqual(Array.from(g711Table(codec)), law(name));
  });
}

test('decodeG711 gives floats in [-1, 1) in order', () => {
  const table = g711Table('g711u');
  const out = decodeG711(Uint8Array.of(0x00, 0x7f, 0x80, 0xff), table);
  assert.deepEqual(Array.from(out), [table[0] / 32768, table[0x7f] / 32768, table[0x80] / 32768, table[0xff] / 32768]);
  assert.ok(out.every((x) => x >= -1 && x < 1));
});
