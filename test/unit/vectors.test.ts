// The golden vectors, TypeScript side: same fields, same bytes, same recovered frames as the agent.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { encodeFrame, FrameDecoder } from '../../src/protocol/framing';
import { decodePayload, dumpMessage, encodePayload, LAYOUTS, messageTypeName } from '../../src/protocol/messages';

interface Section {
  name: string;
  bytes: Uint8Array;
  fields: string[];
}

function readSections(file: string): Section[] {
  const text = fs.readFileSync(path.join(__dirname, '..', 'vectors', file), 'utf8');
  const sections: Section[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('[')) sections.push({ name: line.slice(1, -1), bytes: new Uint8Array(), fields: [] });
    else if (/^(frame|stream) = /.test(line)) sections.at(-1)!.bytes = Uint8Array.from(Buffer.from(line.split(' = ')[1], 'hex'));
    else sections.at(-1)!.fields.push(line);
  }
  return sections;
}

const messages = readSections('messages.vec');

test('every message the description holds has a golden vector', () => {
  const described = Object.keys(LAYOUTS).map((t) => messageTypeName(Number(t))).sort();
  const vectored = new Set(messages.map((v) => v.fields[0].replace('type = ', '')));
  assert.deepEqual(described.filter((name) => !vectored.has(name)), []);
});

for (const v of messages) {
  test(`vector [${v.name}] decodes to its fields and re-encodes to its bytes`, () => {
    const frames = new FrameDecoder().push(v.bytes);
    assert.equal(frames.length, 1);
    const m = decodePayload(frames[0].type, frames[0].id, frames[0].payload);
    assert.deepEqual(dumpMessage(m), v.fields);
    assert.deepEqual(encodeFrame(m.type, m.id, encodePayload(m)), v.bytes);
  });
}

for (const v of readSections('streams.vec')) {
  test(`damaged stream [${v.name}] gives the stated frames`, () => {
    const decoder = new FrameDecoder();
    const ids: string[] = [];
    // fed in uneven pieces, as a serial port delivers them
    for (let at = 0; at < v.bytes.length; at += 5) {
      for (const f of decoder.push(v.bytes.subarray(at, at + 5))) ids.push(`${f.type.toString(16)}/${f.id}`);
    }
    assert.deepEqual(
      [`frames = ${ids.join(' ')}`, `skipped_bytes = ${decoder.stats.skippedBytes}`, `header_errors = ${decoder.stats.headerErrors}`, `crc_errors = ${decoder.stats.crcErrors}`],
      v.fields,
    );
  });
}
