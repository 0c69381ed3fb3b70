// Host ingest: frame decode + CRC + message decode + dispatch to a listener, on one core, in MB/s,
// against a plain copy of the same bytes in the same run.
import { Duplex } from 'node:stream';
import { encodeFrame } from '../src/protocol/framing';
import { encodePayload, MessageType, PROTOCOL_VERSION } from '../src/protocol/messages';
import { BoardSession } from '../src/host/session/board-session';
import { median, round } from './stats';

export interface IngestResult {
  mb: number;
  ingest_mbps: number;
  copy_mbps: number;
  /** ingest / copy */
  ratio: number;
}

/** A stream of FRAGMENT frames like the agent's (30 KB frames, a 150 KB keyframe every 30), cut as a serial port delivers it. */
function fragmentStream(megabytes: number): Buffer[] {
  const frames: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; total < megabytes << 20; i++) {
    const data = new Uint8Array(i % 30 === 0 ? 150_000 : 30_000).map((_, j) => (i + j * 7) & 0xff);
    const m = { type: MessageType.Fragment, id: 0, sequence: i + 1, ptsUs: BigInt(i * 33_333), flags: i % 30 === 0 ? 1 : 0, dropped: 0, data } as const;
    const frame = encodeFrame(m.type, 0, encodePayload(m));
    frames.push(frame);
    total += frame.length;
  }
  const all = Buffer.concat(frames);
  const chunks: Buffer[] = [];
  for (let at = 0; at < all.length; at += 65536) chunks.push(all.subarray(at, at + 65536));
  return chunks;
}

/** A session over an in-memory link, greeted by a HELLO_REPLY as a board would greet it. */
async function greetedSession(link: Duplex): Promise<BoardSession> {
  const session = new BoardSession(link);
  const greeting = session.connect();
  const reply = { type: MessageType.HelloReply, id: 1, protocolVersion: PROTOCOL_VERSION, agentVersion: 'bench', boardName: 'bench', codecs: 1, maxWidth: 1920, maxHeight: 1080, maxFps: 60, storage: false, audioCodecs: 0, scripts: false, sources: 1 } as const;
  link.emit('data', Buffer.from(encodeFrame(reply.type, reply.id, encodePayload(reply))));
  await greeting;
  return session;
}

export async function benchIngest(megabytes = 256, rounds = 3): Promise<IngestResult> {
  const chunks = fragmentStream(megabytes);
  const bytes = chunks.reduce((n, c) => n + c.length, 0);
  const ingest: number[] = [];
  const copy: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // The board's side of the link: what the host writes goes nowhere, what it reads we hand it.
    const link = new Duplex({ read() {}, write(_chunk, _encoding, done) { done(); } });
    const session = await greetedSession(link);
    let fragments = 0;
    session.on('fragment', () => fragments++);
    let t = performance.now();
    for (const c of chunks) link.emit('data', c);
    ingest.push(bytes / ((performance.now() - t) / 1000) / 1e6);
    link.destroy(); // the session closes with it (and its keepalive ends)
    if (fragments === 0) throw new Error('no fragment came out: the benchmark measured nothing');

    const sink = Buffer.alloc(1 << 20);
    t = performance.now();
    for (const c of chunks) c.copy(sink, 0, 0, Math.min(c.length, sink.length));
    copy.push(bytes / ((performance.now() - t) / 1000) / 1e6);
  }
  return { mb: round(bytes / 1e6), ingest_mbps: round(median(ingest)), copy_mbps: round(median(copy)), ratio: round(median(ingest) / median(copy), 3) };
}

if (require.main === module) void benchIngest().then((r) => console.log(JSON.stringify(r, null, 2)));
