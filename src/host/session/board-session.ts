// A conversation with one board over any duplex byte stream: handshake, requests with ids and
// typed replies, and the live stream's init segment and fragments as events.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { encodeFrame, FrameDecoder, MAX_PAYLOAD } from '../../protocol/framing';
import {
  AudioCodec,
  BoardEvent,
  BoardRecordingMessage,
  Codec,
  decodePayload,
  FileEntry,
  encodePayload,
  FRAGMENT_KEYFRAME,
  HelloReplyMessage,
  isEvent,
  MalformedMessageError,
  Message,
  messageTypeName,
  MessageType,
  PROTOCOL_VERSION,
  Reply,
  Request,
  Source,
  SOURCE_NONE,
  sourceBit,
  StreamSettings,
} from '../../protocol/messages';
import type { FileType, ScriptEnd } from '../../protocol/messages';

import { UserError } from '../../shared/user-error';
import { frameCrc32 } from '../link/frame-crc';
import { textSafeFrame } from '../link/text-safe';
import { readTimescale } from '../mp4/fragment-edits';

/** A request the board answered with a typed error. */
export class BoardError extends UserError {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'BoardError';
  }
}

export interface BoardInfo {
  boardName: string;
  agentVersion: string;
  protocolVersion: number;
  h264: boolean;
  h265: boolean;
  maxWidth: number;
  maxHeight: number;
  maxFps: number;
  storage: boolean;
  /** the microphone's codecs; both false: the board has none */
  g711a: boolean;
  g711u: boolean;
  /** it runs the user's MicroPython scripts (the MicroPython agent on a stock board) */
  scripts: boolean;
  /** it can stream a script's display (its write-back) beside the camera */
  display: boolean;
}

/** What the board can stream now (SOURCES), and what the live stream shows. */
export interface SourcesNow {
  camera: boolean;
  display: boolean;
  /** the live stream's source; undefined: nothing is streamed (the one asked for is not there) */
  live: Source.Camera | Source.Display | undefined;
}

/** How a script ended, as the agent saw it (SCRIPT_ENDED). */
export interface ScriptEnding {
  how: ScriptEnd;
  elapsedS: number;
  /** the script's line where it raised; 0 when it did not */
  line: number;
  /** the traceback's text when it raised, else '' */
  traceback: string;
}

export interface Fragment {
  sequence: number;
  ptsUs: bigint;
  keyframe: boolean;
  /** frames the board dropped since the stream started */
  dropped: number;
  /** moof + mdat, ready to append */
  data: Uint8Array;
  /** host clock (performance.now(), ms) when the last byte arrived */
  receivedAtMs: number;
  /** its decode time on the stream's timeline, s: from its pts, as the board's muxer computes the tfdt */
  mediaTimeS: number;
}

export interface InitSegment {
  /** ticks per second of the track's decode times (its mdhd) */
  timescale: number;
  codec: Codec;
  width: number;
  height: number;
  codecString: string;
  /** what it shows: the camera, or a script's display */
  source: Source.Camera | Source.Display;
  /** the sound track beside the pictures; undefined: video only */
  audio?: { codec: AudioCodec; rate: number };
  data: Uint8Array;
}

/** One chunk of sound: an AUDIO_FRAGMENT, its moof + mdat on the sound track. */
export interface AudioChunk {
  sequence: number;
  /** capture time of its first sample, the same board clock as the pictures' */
  ptsUs: bigint;
  /** chunks the board dropped since the stream started */
  dropped: number;
  data: Uint8Array;
  receivedAtMs: number;
  /** its first sample's time on the stream's timeline, s (the pictures' origin) */
  mediaTimeS: number;
}

/** The board recording's state as the agent reports it. */
export interface BoardRecordingState {
  active: boolean;
  path: string;
  elapsedS: number;
  bytes: number;
  frames: number;
  dropped: number;
  /** why it stopped by itself on a fault (card full, write error), one line; undefined otherwise */
  error?: string;
  /** why it ended by itself with no fault (the script whose display it recorded ended), one line */
  ended?: string;
}

export interface BoardSessionEvents {
  init: [InitSegment];
  /** each second while the board records, and when it stops by itself */
  boardRecording: [BoardRecordingState];
  fragment: [Fragment];
  audio: [AudioChunk];
  /** what the running script printed, in order; `dropped` bytes were lost before it (said, never silent) */
  scriptOutput: [data: Uint8Array, dropped: number];
  scriptEnded: [ScriptEnding];
  /** what can be streamed changed (a script took the camera, showed a display, ended) */
  sources: [SourcesNow];
  /** fragments lost on the link (a gap in sequence numbers); an IDR has been requested */
  loss: [number];
  /** chunks of sound lost on the link: a gap in the sound, nothing to ask again */
  audioLoss: [number];
  /** the link closed; reason is one line, undefined after disconnect() */
  close: [string | undefined];
}

export interface SessionOptions {
  /** how long one request waits for its reply */
  requestTimeoutMs?: number;
  /** how long connect() waits for the handshake in all */
  helloTimeoutMs?: number;
  hostName?: string;
  /** a label for messages, e.g. the port path */
  label?: string;
  /** Releases the link (a serial port must be closed, not just destroyed); default: destroy it. */
  closeLink?: () => Promise<void>;
  /** once greeted, a board silent this long (it answers pings) is gone; default 4000 ms */
  silenceTimeoutMs?: number;
  /** send each frame text-safe, as the MicroPython agent on a stock board needs (docs/protocol.md) */
  textSafe?: boolean;
  /** ends an agent that the host started (the MicroPython one) and gives the board back to its REPL */
  endAgent?: () => Promise<void>;
}

/** Once greeted, the host pings this often. */
const KEEPALIVE_MS = 1000;

interface Pending {
  resolve: (m: Reply) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  timeoutMs: number;
  what: string;
}

export class BoardSession extends EventEmitter<BoardSessionEvents> {
  readonly decoder = new FrameDecoder(MAX_PAYLOAD, frameCrc32);
  info: BoardInfo | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private lastSequence: number | undefined;
  private lastAudioSequence: number | undefined;
  /** the last init segment's; fragments come after their init */
  private timescale = 0;
  private init: InitSegment | undefined;
  /** the pts of the stream's first picture, its timeline's origin (the muxer's on the board) */
  private originPtsUs: bigint | undefined;
  private closed = false;
  private sourcesNow: SourcesNow = { camera: true, display: false, live: undefined };
  private lastHeardMs = performance.now();
  private keepalive: NodeJS.Timeout | undefined;
  /** the user's script runs: the agent answers between its steps, and a step may be long */
  private scriptRunning = false;
  private readonly requestTimeoutMs: number;
  private readonly label: string;

  constructor(private readonly link: Duplex, private readonly options: SessionOptions = {}) {
    super();
    this.requestTimeoutMs = options.requestTimeoutMs ?? 3000;
    this.label = options.label ?? 'the link';
    link.on('data', (chunk: Uint8Array) => this.onBytes(chunk));
    // serialport passes the reason of a disconnect (a hang-up, a vanished node, a failed write)
    link.on('close', (err?: Error | null) =>
      this.onClosed(`the board went away: ${this.label} closed${err ? ` (${err.message})` : ''}`),
    );
    link.on('error', (err: Error) => this.onClosed(`the board went away: ${this.label} closed (${err.message})`));
  }

  get isClosed(): boolean {
    return this.closed;
  }


  /** Handshakes; refuses an agent that speaks another protocol version. */
  async connect(): Promise<BoardInfo> {
    const total = this.options.helloTimeoutMs ?? 2000;
    const tries = 3;
    let reply: Reply | undefined;
    // The first HELLO may land in bytes left over on the line; a retry is cheap.
    for (let i = 0; i < tries && !reply; i++) {
      try {
        reply = await this.request(
          { type: MessageType.Hello, id: 0, protocolVersion: PROTOCOL_VERSION, hostName: this.options.hostName ?? 'k230live' },
          total / tries,
        );
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
      }
    }
    if (!reply) {
      const noise = this.decoder.stats.skippedBytes > 0 ? ' (it sends data, but not the K230 Live protocol)' : '';
      throw new UserError(`no K230 Live agent answered on ${this.label} within ${(total / 1000).toFixed(1)} s${noise}`);
    }
    if (reply.type !== MessageType.HelloReply) throw new UserError(`unexpected ${messageTypeName(reply.type)} reply to HELLO`);
    const r: HelloReplyMessage = reply;
    if (r.protocolVersion !== PROTOCOL_VERSION) {
      throw new UserError(`the agent speaks protocol version ${r.protocolVersion}; this host speaks ${PROTOCOL_VERSION}: update one of them`);
    }
    this.info = {
      boardName: r.boardName,
      agentVersion: r.agentVersion,
      protocolVersion: r.protocolVersion,
      h264: (r.codecs & 1) !== 0,
      h265: (r.codecs & 2) !== 0,
      maxWidth: r.maxWidth,
      maxHeight: r.maxHeight,
      maxFps: r.maxFps,
      storage: r.storage,
      g711a: (r.audioCodecs & 1) !== 0,
      g711u: (r.audioCodecs & 2) !== 0,
      scripts: r.scripts,
      display: (r.sources & sourceBit(Source.Display)) !== 0,
    };
    this.startKeepalive();
    return this.info;
  }

  /**
   * Pings the board every second: the board hears that its host is there (a board whose host went
   * quiet stops encoding), and a board that stays silent past the timeout is gone (a stalled link).
   */
  private startKeepalive(): void {
    const silenceMs = this.options.silenceTimeoutMs ?? 4000;
    this.keepalive = setInterval(() => {
      const quietMs = performance.now() - this.lastHeardMs;
      // A request allowed longer than that (a checksum of a big file) may keep the board busy.
      const patient = [...this.pending.values()].some((p) => p.timeoutMs > silenceMs);
      if (quietMs >= silenceMs && !patient && !this.scriptRunning) {
        this.end(`the board stopped answering: nothing from ${this.label} for ${(quietMs / 1000).toFixed(1)} s`);
      } else {
        this.ping().catch(() => undefined);
      }
    }, KEEPALIVE_MS);
  }

  /** The board is beyond reach though the port is open (a script that answers nothing): let go of it. */
  abandon(reason: string): void {
    if (!this.closed) this.end(reason);
  }

  /** The link is dead though still open: close the session with a reason, then release the link. */
  private end(reason: string): void {
    this.onClosed(reason);
    if (this.options.closeLink) void this.options.closeLink();
    else this.link.destroy();
  }

  /** Starts (or restarts) the live stream; the first fragment after it is an IDR. */
  async startStream(settings: StreamSettings): Promise<void> {
    this.lastSequence = undefined;
    this.lastAudioSequence = undefined;
    await this.expectOk({ type: MessageType.StreamStart, id: 0, settings });
  }

  async stopStream(): Promise<void> {
    this.init = undefined;
    await this.expectOk({ type: MessageType.StreamStop, id: 0 });
  }

  /** What the board can stream now, as its last SOURCES said. */
  get sources(): SourcesNow {
    return this.sourcesNow;
  }

  /** The running stream's init segment, for a consumer that joins it late; undefined: no stream. */
  get streamInit(): InitSegment | undefined {
    return this.init;
  }

  async requestIdr(): Promise<void> {
    await this.expectOk({ type: MessageType.RequestIdr, id: 0 });
  }

  async setBitrate(kbps: number): Promise<void> {
    await this.expectOk({ type: MessageType.SetBitrate, id: 0, bitrateKbps: kbps });
  }

  /** One round trip; the board's clock reading and the host times around it. */
  async ping(): Promise<{ sentUs: bigint; boardUs: bigint; receivedUs: bigint }> {
    const sentUs = hostNowUs();
    const reply = await this.request({ type: MessageType.Ping, id: 0, hostTimeUs: sentUs });
    if (reply.type !== MessageType.Pong) throw new UserError(`unexpected ${messageTypeName(reply.type)} reply to PING`);
    return { sentUs, boardUs: reply.boardTimeUs, receivedUs: hostNowUs() };
  }

  /** Stops the stream if the link is still up, then closes the link. */
  async disconnect(): Promise<void> {
    await this.close(false);
  }

  /** Disconnect as a person asks for it: besides, an agent the host started ends (once a board
   * recording has stopped) and the board is its own again. */
  async release(): Promise<void> {
    await this.close(true);
  }

  private async close(release: boolean): Promise<void> {
    if (this.closed) return;
    if (this.info) await this.stopStream().catch(() => undefined);
    this.onClosed(undefined); // no request or ping goes out after this
    if (release) await this.options.endAgent?.().catch(() => undefined);
    if (this.options.closeLink) {
      await this.options.closeLink();
      return;
    }
    await new Promise<void>((resolve) => {
      if (this.link.destroyed) return resolve();
      this.link.once('close', () => resolve());
      this.link.destroy();
    });
  }

  /** Lists a folder on the board's storage (board paths: /sdcard/...). */
  async list(path: string): Promise<{ entries: FileEntry[]; truncated: boolean }> {
    const r = await this.call({ type: MessageType.FileList, id: 0, path }, MessageType.FileListReply);
    return { entries: r.entries, truncated: r.truncated };
  }

  async stat(path: string): Promise<{ fileType: FileType; size: number; mtimeMs: number }> {
    const r = await this.call({ type: MessageType.FileStat, id: 0, path }, MessageType.FileStatReply);
    return { fileType: r.fileType, size: Number(r.size), mtimeMs: Number(r.mtimeMs) };
  }

  /** Up to `length` bytes at `offset`; fewer at the end of the file. */
  async read(path: string, offset: number, length: number, timeoutMs?: number): Promise<Uint8Array> {
    const r = await this.call({ type: MessageType.FileRead, id: 0, path, offset: BigInt(offset), length }, MessageType.FileData, timeoutMs);
    return r.data;
  }

  /** The agent's SHA-256 of the whole file (hex). It reads the file: allow for its size. */
  async checksum(path: string, timeoutMs: number): Promise<{ size: number; sha256: string }> {
    const r = await this.call({ type: MessageType.FileChecksum, id: 0, path }, MessageType.FileChecksumReply, timeoutMs);
    return { size: Number(r.size), sha256: Buffer.from(r.sha256).toString('hex') };
  }

  async deleteFile(path: string): Promise<void> {
    await this.call({ type: MessageType.FileDelete, id: 0, path }, MessageType.Ok);
  }

  /** Writes `data` at `offset` of a file: 0 creates (or empties) it, anything else must be its end. */
  async writeFile(path: string, offset: number, data: Uint8Array, timeoutMs?: number): Promise<void> {
    await this.call({ type: MessageType.FileWrite, id: 0, path, offset: BigInt(offset), data }, MessageType.Ok, timeoutMs);
  }

  async renameFile(path: string, to: string, replace: boolean): Promise<void> {
    await this.call({ type: MessageType.FileRename, id: 0, path, to, replace }, MessageType.Ok);
  }

  async makeFolder(path: string): Promise<void> {
    await this.call({ type: MessageType.FileMkdir, id: 0, path }, MessageType.Ok);
  }

  /** Starts the user's script `source` under its file name; its output and end come as events. */
  async runScript(name: string, source: Uint8Array): Promise<void> {
    await this.call({ type: MessageType.ScriptRun, id: 0, name, source }, MessageType.Ok);
    this.scriptRunning = true;
  }

  /** What the person typed, for the script's input() and sys.stdin. */
  async scriptInput(data: Uint8Array): Promise<void> {
    await this.call({ type: MessageType.ScriptInput, id: 0, data }, MessageType.Ok);
  }

  /** Raises KeyboardInterrupt in the script at its next print, input or sleep; `force`: at every
   * one, and the agent leaves once it has ended, for a soft reset (softReset). */
  async stopScript(force: boolean): Promise<void> {
    await this.call({ type: MessageType.ScriptStop, id: 0, force }, MessageType.Ok);
  }

  /** The firmware's Ctrl-C, raised wherever the script is, even in a loop that never prints: the last
   * resort after Stop (the agent keeps Ctrl-C on while a script runs). One byte, never a frame. */
  interruptScript(): void {
    if (!this.closed) this.link.write(Buffer.of(0x03));
  }

  /** A script that had to be ended by force leaves the agent: Ctrl-D at the board's prompt soft-resets
   * it (the firmware tears down what the script held), and this session ends. */
  async softReset(): Promise<void> {
    if (this.closed) return;
    this.onClosed('the board was soft-reset to end a script that did not stop'); // no request goes out after this
    this.link.write(Buffer.of(0x04));
    await new Promise((r) => setTimeout(r, 300)); // the byte goes out before the port closes
    if (this.options.closeLink) await this.options.closeLink();
    else this.link.destroy();
  }

  async storageInfo(): Promise<{ total: number; available: number }> {
    const r = await this.call({ type: MessageType.StorageInfo, id: 0 }, MessageType.StorageInfoReply);
    return { total: Number(r.total), available: Number(r.available) };
  }

  /** Starts recording on the board with its own settings; path '' lets the board name it. */
  async startBoardRecording(path: string, settings: StreamSettings): Promise<BoardRecordingState> {
    return boardRecordingState(await this.call({ type: MessageType.BoardRecordStart, id: 0, path, settings }, MessageType.BoardRecording));
  }

  async stopBoardRecording(): Promise<BoardRecordingState> {
    return boardRecordingState(await this.call({ type: MessageType.BoardRecordStop, id: 0 }, MessageType.BoardRecording));
  }

  async boardRecordingStatus(): Promise<BoardRecordingState> {
    return boardRecordingState(await this.call({ type: MessageType.BoardRecordStatus, id: 0 }, MessageType.BoardRecording));
  }

  private async expectOk(req: Request): Promise<void> {
    await this.call(req, MessageType.Ok);
  }

  /** A request whose reply must be of one type; anything else is a protocol error. */
  private async call<T extends Reply['type']>(req: Request, expected: T, timeoutMs?: number): Promise<Extract<Reply, { type: T }>> {
    const reply = await this.request(req, timeoutMs);
    if (reply.type !== expected) throw new UserError(`unexpected ${messageTypeName(reply.type)} reply to ${messageTypeName(req.type)}`);
    return reply as Extract<Reply, { type: T }>;
  }

  request(req: Request, timeoutMs = this.requestTimeoutMs): Promise<Reply> {
    if (this.closed) return Promise.reject(new UserError(`not connected: ${this.label} is closed`));
    const id = this.nextId++;
    const what = messageTypeName(req.type);
    const frame = encodeFrame(req.type, id, encodePayload({ ...req, id }));
    const bytes = this.options.textSafe ? textSafeFrame(frame) : frame;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TimeoutError(`the board did not answer ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (m) => (m.type === MessageType.Error ? reject(new BoardError(m.code, `board refused ${what}: ${m.message}`)) : resolve(m)),
        reject,
        timer,
        timeoutMs,
        what,
      });
      this.link.write(bytes);
    });
  }

  private onBytes(chunk: Uint8Array): void {
    const receivedAtMs = performance.now();
    this.lastHeardMs = receivedAtMs;
    for (const frame of this.decoder.push(chunk)) {
      let m: Message;
      try {
        m = decodePayload(frame.type, frame.id, frame.payload);
      } catch (e) {
        if (e instanceof MalformedMessageError) continue; // CRC-valid but not ours to read: skip it
        throw e;
      }
      if (isEvent(m)) {
        // Before the handshake, events are leftovers of an earlier host's stream still in the line;
        // but SOURCES is the board's state now (the one after HELLO_REPLY may come in the same read).
        if (this.info || m.type === MessageType.Sources) this.onEvent(m, receivedAtMs);
      } else {
        this.onReply(m as Reply);
      }
    }
  }

  private onReply(m: Reply): void {
    const p = this.pending.get(m.id);
    if (!p) return; // a reply to a request that already timed out
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    p.resolve(m);
  }

  private onEvent(m: BoardEvent, receivedAtMs: number): void {
    if (m.type === MessageType.BoardRecording) {
      this.emit('boardRecording', boardRecordingState(m));
      return;
    }
    if (m.type === MessageType.ScriptOutput) {
      this.emit('scriptOutput', m.data, m.dropped);
      return;
    }
    if (m.type === MessageType.ScriptEnded) {
      this.scriptRunning = false;
      const traceback = new TextDecoder().decode(m.traceback);
      this.emit('scriptEnded', { how: m.how, elapsedS: Number(m.elapsedUs) / 1e6, line: m.line, traceback });
      return;
    }
    if (m.type === MessageType.Sources) {
      const live = m.live === SOURCE_NONE ? undefined : m.live === Source.Display ? Source.Display : Source.Camera;
      this.sourcesNow = { camera: (m.available & sourceBit(Source.Camera)) !== 0, display: (m.available & sourceBit(Source.Display)) !== 0, live };
      if (live === undefined) this.init = undefined; // the stream paused: a consumer joining now waits for its next init
      this.emit('sources', this.sourcesNow);
      return;
    }
    if (m.type === MessageType.InitSegment) {
      try {
        this.timescale = readTimescale(m.data);
      } catch {
        return; // an init segment without a readable mdhd is skipped, as any malformed event
      }
      const audio = m.audio !== AudioCodec.Off && m.audioRate > 0 ? { codec: m.audio, rate: m.audioRate } : undefined;
      const source = m.source === Source.Display ? Source.Display : Source.Camera;
      this.init = { timescale: this.timescale, codec: m.codec, width: m.width, height: m.height, codecString: m.codecString, source, audio, data: m.data };
      this.originPtsUs = undefined; // a new stream: its first picture is the new origin
      this.lastSequence = undefined; // and its fragments and sound count from 0 again
      this.lastAudioSequence = undefined;
      this.emit('init', this.init);
      return;
    }
    if (m.type === MessageType.AudioFragment) {
      const lost = this.lastAudioSequence === undefined ? 0 : (m.sequence - this.lastAudioSequence - 1) >>> 0;
      this.lastAudioSequence = m.sequence;
      if (lost > 0 && lost < 0x80000000) this.emit('audioLoss', lost);
      const rate = BigInt(this.init?.audio?.rate ?? 1);
      const ticks = ((m.ptsUs - (this.originPtsUs ?? m.ptsUs)) * rate + 500_000n) / 1_000_000n;
      this.emit('audio', { sequence: m.sequence, ptsUs: m.ptsUs, dropped: m.dropped, data: m.data, receivedAtMs, mediaTimeS: Number(ticks) / Number(rate) });
      return;
    }
    if (this.lastSequence !== undefined && m.sequence !== this.lastSequence + 1) {
      const lost = (m.sequence - this.lastSequence - 1) >>> 0;
      if (lost > 0) {
        this.emit('loss', lost);
        this.requestIdr().catch(() => undefined);
      }
    }
    this.lastSequence = m.sequence;
    this.originPtsUs ??= m.ptsUs;
    const ticks = ((m.ptsUs - this.originPtsUs) * BigInt(this.timescale)) / 1_000_000n;
    this.emit('fragment', {
      sequence: m.sequence,
      ptsUs: m.ptsUs,
      keyframe: (m.flags & FRAGMENT_KEYFRAME) !== 0,
      dropped: m.dropped,
      data: m.data,
      receivedAtMs,
      mediaTimeS: Number(ticks) / this.timescale,
    });
  }

  private onClosed(reason: string | undefined): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepalive);
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new UserError(reason ?? `disconnected before the board answered ${p.what}`));
    }
    this.pending.clear();
    this.emit('close', reason);
  }
}

export class TimeoutError extends UserError {}

function boardRecordingState(m: BoardRecordingMessage): BoardRecordingState {
  return {
    active: m.active,
    path: m.path,
    elapsedS: Number(m.elapsedUs) / 1e6,
    bytes: Number(m.bytes),
    frames: m.frames,
    dropped: m.dropped,
    error: m.error ? m.message : undefined,
    ended: !m.error && m.message ? m.message : undefined,
  };
}

/** Host clock in microseconds, monotonic. */
export function hostNowUs(): bigint {
  return BigInt(Math.round(performance.timeOrigin * 1000 + performance.now() * 1000));
}

