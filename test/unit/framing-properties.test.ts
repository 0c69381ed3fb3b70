// Properties of the wire format's TypeScript side, checked on generated inputs (fast-check): the frame
// decoder against arbitrary bytes cut arbitrarily, every message's codec against arbitrary field
// values, and a BoardSession against arbitrary bytes from the board. The agent's C side is held to
// the same by its libFuzzer targets (device-agent/fuzz/).
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import { Duplex } from 'node:stream';
import { test } from 'node:test';
import * as fc from 'fast-check';
import { encodeFrame, Frame, FrameDecoder, FramingStats, MAX_PAYLOAD } from '../../src/protocol/framing';
import {
  decodePayload,
  encodePayload,
  HelloReplyMessage,
  MalformedMessageError,
  Message,
  MessageType,
  PROTOCOL_VERSION,
} from '../../src/protocol/messages';
import { BoardSession } from '../../src/host/session/board-session';
import { concat } from '../support/bytes';
import { anyDamage, damaged } from '../support/damage';

// The same generated cases on every run, so CI is repeatable and a failure reproducible;
// FC_SEED=<number> explores others (e.g. FC_SEED=$RANDOM npm run test:unit).
fc.configureGlobal({ seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261121 });

/** fc.record, as plain objects: fast-check may make them without a prototype, which deepStrictEqual tells apart. */
const record = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> =>
  fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;

// ---- field values, each over its whole wire range

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const bytes = (maxLength: number) => fc.uint8Array({ maxLength });

/** Text as the wire carries it: UTF-8 without NUL, cut (by whole characters) to at most maxBytes. */
function text(maxBytes: number): fc.Arbitrary<string> {
  const ascii = fc.integer({ min: 1, max: 0x7f });
  const other = fc.integer({ min: 0x80, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff);
  return fc.array(fc.oneof(ascii, other), { maxLength: maxBytes }).map((codePoints) => {
    let size = 0;
    let n = 0;
    for (const c of codePoints) {
      size += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      if (size > maxBytes) break;
      n++;
    }
    return String.fromCodePoint(...codePoints.slice(0, n));
  });
}

const str = text(255);
const path = text(1023);
const settings = record({ width: u16, height: u16, fps: u16, codec: u8, profile: u8, bitrateKbps: u32, gop: u16, audio: u8, audioRate: u16, source: u8 });
const fileEntry = record({ fileType: u8, size: u64, mtimeMs: u64, name: str });

/** One generator per message type, each producing every value the wire can carry. */
function messagesWithId(id: fc.Arbitrary<number>): Record<string, fc.Arbitrary<Message>> {
  const plain = <T extends MessageType>(type: T) => record({ type: fc.constant(type), id });
  const pathMessage = <T extends MessageType.FileList | MessageType.FileStat | MessageType.FileChecksum | MessageType.FileDelete | MessageType.FileMkdir>(type: T) =>
    record({ type: fc.constant(type), id, path });
  return {
    HELLO: record({ type: fc.constant(MessageType.Hello), id, protocolVersion: u16, hostName: str }),
    STREAM_START: record({ type: fc.constant(MessageType.StreamStart), id, settings }),
    STREAM_STOP: plain(MessageType.StreamStop),
    REQUEST_IDR: plain(MessageType.RequestIdr),
    SET_BITRATE: record({ type: fc.constant(MessageType.SetBitrate), id, bitrateKbps: u32 }),
    PING: record({ type: fc.constant(MessageType.Ping), id, hostTimeUs: u64 }),
    FILE_LIST: pathMessage(MessageType.FileList),
    FILE_STAT: pathMessage(MessageType.FileStat),
    FILE_READ: record({ type: fc.constant(MessageType.FileRead), id, path, offset: u64, length: u32 }),
    FILE_CHECKSUM: pathMessage(MessageType.FileChecksum),
    FILE_DELETE: pathMessage(MessageType.FileDelete),
    STORAGE_INFO: plain(MessageType.StorageInfo),
    FILE_WRITE: record({ type: fc.constant(MessageType.FileWrite), id, path, offset: u64, data: bytes(300) }),
    FILE_RENAME: record({ type: fc.constant(MessageType.FileRename), id, path, to: path, replace: fc.boolean() }),
    FILE_MKDIR: pathMessage(MessageType.FileMkdir),
    SCRIPT_RUN: record({ type: fc.constant(MessageType.ScriptRun), id, name: str, source: bytes(300) }),
    SCRIPT_INPUT: record({ type: fc.constant(MessageType.ScriptInput), id, data: bytes(300) }),
    SCRIPT_STOP: record({ type: fc.constant(MessageType.ScriptStop), id, force: fc.boolean() }),
    BOARD_RECORD_START: record({ type: fc.constant(MessageType.BoardRecordStart), id, path, settings }),
    BOARD_RECORD_STOP: plain(MessageType.BoardRecordStop),
    BOARD_RECORD_STATUS: plain(MessageType.BoardRecordStatus),
    OK: plain(MessageType.Ok),
    HELLO_REPLY: record({
      type: fc.constant(MessageType.HelloReply), id, protocolVersion: u16, agentVersion: str, boardName: str, codecs: u8,
      maxWidth: u16, maxHeight: u16, maxFps: u16, storage: fc.boolean(), audioCodecs: u8, scripts: fc.boolean(), sources: u8,
    }),
    PONG: record({ type: fc.constant(MessageType.Pong), id, hostTimeUs: u64, boardTimeUs: u64 }),
    FILE_LIST_REPLY: record({
      type: fc.constant(MessageType.FileListReply), id, truncated: fc.boolean(), entries: fc.array(fileEntry, { maxLength: 8 }),
    }),
    FILE_STAT_REPLY: record({ type: fc.constant(MessageType.FileStatReply), id, fileType: u8, size: u64, mtimeMs: u64 }),
    FILE_DATA: record({ type: fc.constant(MessageType.FileData), id, offset: u64, data: bytes(600) }),
    FILE_CHECKSUM_REPLY: record({
      type: fc.constant(MessageType.FileChecksumReply), id, size: u64, sha256: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    }),
    STORAGE_INFO_REPLY: record({ type: fc.constant(MessageType.StorageInfoReply), id, total: u64, available: u64 }),
    ERROR: record({ type: fc.constant(MessageType.Error), id, code: u16, message: str }),
    INIT_SEGMENT: record({
      type: fc.constant(MessageType.InitSegment), id, codec: u8, width: u16, height: u16, codecString: str, audio: u8, audioRate: u16, source: u8,
      data: bytes(300),
    }),
    AUDIO_FRAGMENT: record({ type: fc.constant(MessageType.AudioFragment), id, sequence: u32, ptsUs: u64, dropped: u32, data: bytes(400) }),
    FRAGMENT: record({
      type: fc.constant(MessageType.Fragment), id, sequence: u32, ptsUs: u64, flags: u8, dropped: u32, data: bytes(300),
    }),
    BOARD_RECORDING: record({
      type: fc.constant(MessageType.BoardRecording), id, active: fc.boolean(), path, elapsedUs: u64, bytes: u64,
      frames: u32, dropped: u32, error: u16, message: str,
    }),
    SCRIPT_OUTPUT: record({ type: fc.constant(MessageType.ScriptOutput), id, dropped: u32, data: bytes(300) }),
    SCRIPT_ENDED: record({ type: fc.constant(MessageType.ScriptEnded), id, how: u8, elapsedUs: u64, line: u32, traceback: bytes(300) }),
  };
}

const messages = messagesWithId(u32);
const anyMessage = fc.oneof(...Object.values(messages));

// ---- streams: garbage, frames, damaged frames

interface FrameFields { type: number; flags: number; id: number; payload: Uint8Array }
const frameFields = record({ type: u8, flags: u8, id: u32, payload: bytes(300) });
const encode = (f: FrameFields) => encodeFrame(f.type, f.id, f.payload, f.flags);

// A flipped bit, a lost byte, a frame cut short: as a noisy serial line delivers frames.
const damage = anyDamage();

const streamPiece = fc.oneof(
  bytes(40),
  frameFields.map(encode),
  fc.tuple(frameFields, damage).map(([f, d]) => damaged(encode(f), d)),
  fc.constant(Uint8Array.of(0x4b, 0x32)),
  fc.constant(Uint8Array.of(0x4b)),
);
const stream = fc.array(streamPiece, { maxLength: 12 }).map(concat);
/** Read sizes, used in turn until the stream is through: a serial port's arbitrary reads. */
const readSizes = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 16 });
const payloadLimit = fc.constantFrom(0, 16, 300, MAX_PAYLOAD);

interface Decoded { frames: Frame[]; stats: FramingStats; pending: number }

function decodeInReads(bytesIn: Uint8Array, sizes: number[], limit: number): Decoded {
  const d = new FrameDecoder(limit);
  const frames: Frame[] = [];
  for (let at = 0, i = 0; at < bytesIn.length; i++) {
    const n = sizes[i % sizes.length];
    frames.push(...d.push(bytesIn.subarray(at, at + n)));
    at += n;
  }
  return { frames, stats: { ...d.stats }, pending: d.pending };
}

test('arbitrary bytes never make the frame decoder throw, however they are cut into reads', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4000 }), readSizes, payloadLimit, (b, sizes, limit) => {
      decodeInReads(b, sizes, limit);
    }),
    { numRuns: 300 },
  );
});

test('the same bytes cut into other reads give the same frames, counts and pending bytes', () => {
  fc.assert(
    fc.property(stream, readSizes, payloadLimit, (b, sizes, limit) => {
      assert.deepStrictEqual(decodeInReads(b, sizes, limit), decodeInReads(b, [b.length || 1], limit));
    }),
    { numRuns: 500 },
  );
});

test('every intact frame among garbage and damaged frames comes back exactly, in order, and nothing else', () => {
  const LIMIT = 1024;
  const item = record({ frame: frameFields, garbage: bytes(40), damage: fc.option(damage, { freq: 3 }) });
  fc.assert(
    fc.property(fc.array(item, { maxLength: 10 }), readSizes, (items, sizes) => {
      const parts = items.flatMap((i) => [i.garbage, i.damage ? damaged(encode(i.frame), i.damage) : encode(i.frame)]);
      // The line goes on after the last frame: a frame cut short is then given up, not waited for.
      parts.push(new Uint8Array(LIMIT + 20));
      const got = decodeInReads(concat(parts), sizes, LIMIT).frames;
      // A damaged frame may still come back whole when its damage cancels out (a frame cut after
      // its first byte, then the next one missing exactly that byte): but only frames that were sent.
      let next = 0;
      for (const i of items) {
        if (next < got.length && isDeepStrictEqual(got[next], i.frame)) next++;
        else if (i.damage === null) assert.fail(`an intact frame was lost: ${JSON.stringify(i.frame)}`);
      }
      assert.equal(next, got.length, 'a frame that was never sent came out');
    }),
    { numRuns: 500 },
  );
});

for (const [name, arbitrary] of Object.entries(messages)) {
  test(`${name} round-trips through its payload and frame for any field values`, () => {
    fc.assert(
      fc.property(arbitrary, (m) => {
        const payload = encodePayload(m);
        const back = decodePayload(m.type, m.id, payload);
        assert.deepStrictEqual(back, m);
        assert.deepStrictEqual(encodePayload(back), payload);
        const frames = new FrameDecoder().push(encodeFrame(m.type, m.id, payload));
        assert.equal(frames.length, 1);
        assert.deepStrictEqual(decodePayload(frames[0].type, frames[0].id, frames[0].payload), m);
      }),
      { numRuns: 100 },
    );
  });
}

test('an arbitrary payload of any type decodes or is refused as malformed, nothing else', () => {
  fc.assert(
    fc.property(u8, fc.oneof(bytes(64), anyMessage.map(encodePayload)), (type, payload) => {
      try {
        decodePayload(type, 1, payload);
      } catch (e) {
        if (!(e instanceof MalformedMessageError)) throw e;
      }
    }),
    { numRuns: 2000 },
  );
});

// ---- a BoardSession fed arbitrary bytes by the board

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** An in-memory link to a fake board that answers HELLO; the test pushes whatever else the board says. */
function fakeBoardLink(): Duplex {
  const fromHost = new FrameDecoder();
  const link: Duplex = new Duplex({
    read() {},
    write(chunk: Uint8Array, _encoding, done) {
      for (const f of fromHost.push(chunk)) {
        if (f.type !== MessageType.Hello) continue;
        const reply: HelloReplyMessage = {
          type: MessageType.HelloReply, id: f.id, protocolVersion: PROTOCOL_VERSION, agentVersion: 'fake', boardName: 'Fake K230',
          codecs: 3, maxWidth: 1920, maxHeight: 1080, maxFps: 60, storage: true, audioCodecs: 3, scripts: false, sources: 1,
        };
        setImmediate(() => link.push(encodeFrame(reply.type, reply.id, encodePayload(reply))));
      }
      done();
    },
  });
  return link;
}

// What a board may send: noise, CRC-valid frames of any type and payload, well-formed messages of every
// type with ids that hit the session's pending requests (1..6) or none (0), events, damaged messages.
const smallId = fc.integer({ min: 0, max: 6 });
const boardMessage = fc.oneof(...Object.values(messagesWithId(smallId)));
const events = messagesWithId(fc.constant(0));
const frameOf = (m: Message) => encodeFrame(m.type, m.id, encodePayload(m));
/** The smallest init segment the session reads: moov/trak/mdia/mdhd (version 0) with this timescale. */
function initWithTimescale(timescale: number): Uint8Array {
  const box = (type: string, body: Uint8Array) => {
    const b = new Uint8Array(8 + body.length);
    new DataView(b.buffer).setUint32(0, b.length);
    b.set(Buffer.from(type, 'latin1'), 4);
    b.set(body, 8);
    return b;
  };
  const mdhd = new Uint8Array(24);
  new DataView(mdhd.buffer).setUint32(12, timescale);
  return box('moov', box('trak', box('mdia', box('mdhd', mdhd))));
}
const readableInit = u32.map((timescale) =>
  frameOf({ type: MessageType.InitSegment, id: 0, codec: 1, width: 640, height: 360, codecString: 'avc1.42c01e', audio: 0, audioRate: 0, source: 0, data: initWithTimescale(timescale) }),
);
const boardChunk = fc.oneof(
  readableInit,
  bytes(80),
  record({ type: u8, flags: u8, id: smallId, payload: bytes(80) }).map(encode),
  boardMessage.map(frameOf),
  fc.oneof(events.INIT_SEGMENT, events.FRAGMENT, events.FRAGMENT, events.BOARD_RECORDING).map(frameOf),
  fc.tuple(boardMessage, damage).map(([m, d]) => damaged(frameOf(m), d)),
);

test('arbitrary bytes from the board never make a BoardSession throw or emit an error', async () => {
  const seen = { init: 0, fragment: 0, loss: 0, boardRecording: 0, answered: 0 };
  await fc.assert(
    fc.asyncProperty(fc.boolean(), fc.array(boardChunk, { maxLength: 16 }), async (handshake, chunks) => {
      const link = fakeBoardLink();
      const session = new BoardSession(link, { requestTimeoutMs: 200, helloTimeoutMs: 600, label: 'the fake board' });
      const errors: unknown[] = [];
      (session as EventEmitter).on('error', (e) => errors.push(e));
      link.on('error', (e) => errors.push(e));
      session.on('init', () => seen.init++);
      session.on('fragment', () => seen.fragment++);
      session.on('loss', () => seen.loss++);
      session.on('boardRecording', () => seen.boardRecording++);
      await tick(); // the link flows: pushed bytes now reach the session at once, and so would its exceptions
      if (handshake) await session.connect();
      // requests in flight, for the board's arbitrary replies to answer (or not)
      const inFlight = [session.ping(), session.list('/sdcard'), session.stat('/sdcard/a.mp4')].map((p) =>
        p.then(() => seen.answered++).catch(() => undefined),
      );
      for (const chunk of chunks) {
        link.push(chunk);
        await tick();
      }
      const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
      link.destroy();
      await closed;
      await Promise.all(inFlight);
      assert.deepStrictEqual(errors, []);
      assert.equal(session.isClosed, true);
    }),
    { numRuns: 300 },
  );
  // the generated bytes do reach the session's every path: events, gaps, answers
  for (const [what, count] of Object.entries(seen)) assert.ok(count > 0, `no run produced ${what}`);
});

test('a new stream (its INIT_SEGMENT) starts its sequence again: no loss is counted across it, a gap within it is', async () => {
  const link = fakeBoardLink();
  const session = new BoardSession(link, { requestTimeoutMs: 200, helloTimeoutMs: 600, label: 'the fake board' });
  const losses: number[] = [];
  session.on('loss', (n) => losses.push(n));
  session.on('audioLoss', (n) => losses.push(-n));
  await tick();
  await session.connect();
  const init = (source: number) => frameOf({ type: MessageType.InitSegment, id: 0, codec: 1, width: 640, height: 480, codecString: 'avc1.42c01e', audio: 2, audioRate: 8000, source, data: initWithTimescale(90000) });
  const fragment = (sequence: number) => frameOf({ type: MessageType.Fragment, id: 0, sequence, ptsUs: BigInt(sequence) * 33333n, flags: 0, dropped: 0, data: new Uint8Array(8) });
  const sound = (sequence: number) => frameOf({ type: MessageType.AudioFragment, id: 0, sequence, ptsUs: BigInt(sequence) * 20000n, dropped: 0, data: new Uint8Array(8) });
  // the camera's stream, then the agent switches to the script's display by itself (docs/protocol.md)
  for (const chunk of [init(0), fragment(0), sound(0), fragment(1), sound(1), fragment(2), init(1), fragment(0), sound(0), fragment(2)]) {
    link.push(chunk);
    await tick();
  }
  assert.deepEqual(losses, [1], 'only the gap within the display\'s stream (1 lost), none at the switch');
  const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
  link.destroy();
  await closed;
});
