// The typed messages of the K230 Live protocol: one interface per message, one union, one codec.
// Payload layouts are documented in docs/protocol.md; the agent's C twin is device-agent/src/msg.c.

export const PROTOCOL_VERSION = 2;

export const enum MessageType {
  // host -> agent requests
  Hello = 0x01,
  StreamStart = 0x02,
  StreamStop = 0x03,
  RequestIdr = 0x04,
  SetBitrate = 0x05,
  Ping = 0x06,
  FileList = 0x10,
  FileStat = 0x11,
  FileRead = 0x12,
  FileChecksum = 0x13,
  FileDelete = 0x14,
  StorageInfo = 0x15,
  BoardRecordStart = 0x20,
  BoardRecordStop = 0x21,
  BoardRecordStatus = 0x22,
  // agent -> host replies, with the request's id
  Ok = 0x80,
  HelloReply = 0x81,
  Pong = 0x86,
  FileListReply = 0x90,
  FileStatReply = 0x91,
  FileData = 0x92,
  FileChecksumReply = 0x93,
  StorageInfoReply = 0x95,
  Error = 0xff,
  // agent -> host events, id 0
  InitSegment = 0xa0,
  Fragment = 0xa1,
  /** reply to BOARD_RECORD_*, and an event (id 0) each second and when it stops by itself */
  BoardRecording = 0xa2,
}

export const enum Codec {
  H264 = 1,
  H265 = 2,
}

export const enum Profile {
  Baseline = 0,
  Main = 1,
  High = 2,
}

export const enum ErrorCode {
  UnsupportedVersion = 1,
  BadRequest = 2,
  UnknownRequest = 3,
  UnsupportedSetting = 4,
  NotStreaming = 5,
  HandshakeRequired = 6,
  Encoder = 7,
  NotFound = 8,
  OutsideRoot = 9,
  Io = 10,
  NoSpace = 11,
  NoStorage = 12,
  NotAFile = 13,
  Exists = 14,
}

export const enum FileType {
  File = 1,
  Directory = 2,
  Other = 3,
}

/** The longest FILE_READ the agent answers in full. */
export const FILE_READ_MAX = 256 * 1024;

export const FRAGMENT_KEYFRAME = 0x01;

export interface StreamSettings {
  width: number;
  height: number;
  fps: number;
  codec: Codec;
  profile: Profile;
  bitrateKbps: number;
  gop: number;
}

export interface HelloMessage { type: MessageType.Hello; id: number; protocolVersion: number; hostName: string }
export interface StreamStartMessage extends StreamSettings { type: MessageType.StreamStart; id: number }
export interface StreamStopMessage { type: MessageType.StreamStop; id: number }
export interface RequestIdrMessage { type: MessageType.RequestIdr; id: number }
export interface SetBitrateMessage { type: MessageType.SetBitrate; id: number; bitrateKbps: number }
export interface PingMessage { type: MessageType.Ping; id: number; hostTimeUs: bigint }
export interface OkMessage { type: MessageType.Ok; id: number }
export interface HelloReplyMessage {
  type: MessageType.HelloReply;
  id: number;
  protocolVersion: number;
  agentVersion: string;
  boardName: string;
  /** bit 0: H.264, bit 1: H.265 */
  codecs: number;
  maxWidth: number;
  maxHeight: number;
  maxFps: number;
  storage: boolean;
}
export interface PongMessage { type: MessageType.Pong; id: number; hostTimeUs: bigint; boardTimeUs: bigint }
export interface ErrorMessage { type: MessageType.Error; id: number; code: number; message: string }
export interface InitSegmentMessage {
  type: MessageType.InitSegment;
  id: number;
  codec: Codec;
  width: number;
  height: number;
  /** RFC 6381, for MediaSource.isTypeSupported / addSourceBuffer */
  codecString: string;
  data: Uint8Array;
}
export interface FragmentMessage {
  type: MessageType.Fragment;
  id: number;
  sequence: number;
  /** board monotonic clock, microseconds */
  ptsUs: bigint;
  flags: number;
  /** frames the agent dropped since the stream started */
  dropped: number;
  /** one moof + mdat */
  data: Uint8Array;
}

export interface FileEntry {
  name: string;
  fileType: FileType;
  size: bigint;
  mtimeMs: bigint;
}

/** FILE_LIST, FILE_STAT, FILE_CHECKSUM, FILE_DELETE: a board path such as /sdcard/a.mp4 */
export interface FilePathMessage {
  type: MessageType.FileList | MessageType.FileStat | MessageType.FileChecksum | MessageType.FileDelete;
  id: number;
  path: string;
}
export interface FileReadMessage { type: MessageType.FileRead; id: number; path: string; offset: bigint; length: number }
export interface StorageInfoMessage { type: MessageType.StorageInfo; id: number }
export interface BoardRecordStartMessage { type: MessageType.BoardRecordStart; id: number; path: string; settings: StreamSettings }
export interface BoardRecordStopMessage { type: MessageType.BoardRecordStop; id: number }
export interface BoardRecordStatusMessage { type: MessageType.BoardRecordStatus; id: number }
export interface FileListReplyMessage { type: MessageType.FileListReply; id: number; truncated: boolean; entries: FileEntry[] }
export interface FileStatReplyMessage { type: MessageType.FileStatReply; id: number; fileType: FileType; size: bigint; mtimeMs: bigint }
export interface FileDataMessage { type: MessageType.FileData; id: number; offset: bigint; data: Uint8Array }
export interface FileChecksumReplyMessage { type: MessageType.FileChecksumReply; id: number; size: bigint; sha256: Uint8Array }
export interface StorageInfoReplyMessage { type: MessageType.StorageInfoReply; id: number; total: bigint; available: bigint }
export interface BoardRecordingMessage {
  type: MessageType.BoardRecording;
  id: number;
  active: boolean;
  path: string;
  elapsedUs: bigint;
  bytes: bigint;
  frames: number;
  dropped: number;
  /** 0, or the ErrorCode that stopped it */
  error: number;
  message: string;
}

export type Request =
  | HelloMessage
  | StreamStartMessage
  | StreamStopMessage
  | RequestIdrMessage
  | SetBitrateMessage
  | PingMessage
  | FilePathMessage
  | FileReadMessage
  | StorageInfoMessage
  | BoardRecordStartMessage
  | BoardRecordStopMessage
  | BoardRecordStatusMessage;
export type Reply =
  | OkMessage
  | HelloReplyMessage
  | PongMessage
  | ErrorMessage
  | FileListReplyMessage
  | FileStatReplyMessage
  | FileDataMessage
  | FileChecksumReplyMessage
  | StorageInfoReplyMessage
  | BoardRecordingMessage;
export type BoardEvent = InitSegmentMessage | FragmentMessage | BoardRecordingMessage;
export type Message = Request | Reply | BoardEvent;

export class MalformedMessageError extends Error {}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: false });

class Reader {
  private at = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(n: number): number {
    if (this.at + n > this.bytes.length) throw new MalformedMessageError('payload too short');
    const at = this.at;
    this.at += n;
    return at;
  }
  u8(): number { return this.bytes[this.need(1)]; }
  u16(): number { return this.view.getUint16(this.need(2), true); }
  u32(): number { return this.view.getUint32(this.need(4), true); }
  u64(): bigint { return this.view.getBigUint64(this.need(8), true); }
  string(): string {
    return this.text(this.u8());
  }
  path(): string {
    return this.text(this.u16());
  }
  private text(n: number): string {
    const at = this.need(n);
    const b = this.bytes.subarray(at, at + n);
    // As the agent does: a NUL would cut its C string short, so neither side takes one.
    if (b.includes(0)) throw new MalformedMessageError('NUL inside a string');
    return textDecoder.decode(b);
  }
  bytes32(): Uint8Array {
    const at = this.need(32);
    return this.bytes.slice(at, at + 32);
  }
  rest(): Uint8Array {
    const r = this.bytes.subarray(this.at);
    this.at = this.bytes.length;
    return r;
  }
  end(): void {
    if (this.at !== this.bytes.length) throw new MalformedMessageError(`${this.bytes.length - this.at} trailing bytes`);
  }
}

class Writer {
  private bytes = new Uint8Array(64);
  private view = new DataView(this.bytes.buffer);
  private at = 0;
  private room(n: number): number {
    if (this.at + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.at + n));
      grown.set(this.bytes);
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    const at = this.at;
    this.at += n;
    return at;
  }
  // room() may replace bytes and view: take the offset first (this.view.set…(this.room(n)) uses the old view).
  u8(v: number): this { const at = this.room(1); this.bytes[at] = v; return this; }
  u16(v: number): this { const at = this.room(2); this.view.setUint16(at, v, true); return this; }
  u32(v: number): this { const at = this.room(4); this.view.setUint32(at, v, true); return this; }
  u64(v: bigint): this { const at = this.room(8); this.view.setBigUint64(at, v, true); return this; }
  string(s: string): this {
    let b = textEncoder.encode(s);
    if (b.length > 255) b = b.subarray(0, 255);
    this.u8(b.length);
    return this.raw(b);
  }
  path(s: string): this {
    let b = textEncoder.encode(s);
    if (b.length > 1023) b = b.subarray(0, 1023);
    this.u16(b.length);
    return this.raw(b);
  }
  raw(b: Uint8Array): this {
    const at = this.room(b.length);
    this.bytes.set(b, at);
    return this;
  }
  done(): Uint8Array { return this.bytes.slice(0, this.at); }
}

function writeSettings(w: Writer, s: StreamSettings): Writer {
  return w.u16(s.width).u16(s.height).u16(s.fps).u8(s.codec).u8(s.profile).u32(s.bitrateKbps).u16(s.gop);
}

function readSettings(r: Reader): StreamSettings {
  return { width: r.u16(), height: r.u16(), fps: r.u16(), codec: r.u8(), profile: r.u8(), bitrateKbps: r.u32(), gop: r.u16() };
}

/** Encodes a message's payload (the frame around it is framing.ts's job). */
export function encodePayload(m: Message): Uint8Array {
  const w = new Writer();
  switch (m.type) {
    case MessageType.Hello:
      return w.u16(m.protocolVersion).string(m.hostName).done();
    case MessageType.StreamStart:
      return writeSettings(w, m).done();
    case MessageType.StreamStop:
    case MessageType.RequestIdr:
    case MessageType.Ok:
    case MessageType.StorageInfo:
    case MessageType.BoardRecordStop:
    case MessageType.BoardRecordStatus:
      return w.done();
    case MessageType.FileList:
    case MessageType.FileStat:
    case MessageType.FileChecksum:
    case MessageType.FileDelete:
      return w.path(m.path).done();
    case MessageType.FileRead:
      return w.path(m.path).u64(m.offset).u32(m.length).done();
    case MessageType.BoardRecordStart:
      return writeSettings(w.path(m.path), m.settings).done();
    case MessageType.FileListReply:
      w.u8(m.truncated ? 1 : 0).u16(m.entries.length);
      for (const e of m.entries) w.u8(e.fileType).u64(e.size).u64(e.mtimeMs).string(e.name);
      return w.done();
    case MessageType.FileStatReply:
      return w.u8(m.fileType).u64(m.size).u64(m.mtimeMs).done();
    case MessageType.FileData:
      return w.u64(m.offset).raw(m.data).done();
    case MessageType.FileChecksumReply:
      return w.u64(m.size).raw(m.sha256).done();
    case MessageType.StorageInfoReply:
      return w.u64(m.total).u64(m.available).done();
    case MessageType.BoardRecording:
      return w
        .u8(m.active ? 1 : 0).path(m.path).u64(m.elapsedUs).u64(m.bytes).u32(m.frames).u32(m.dropped)
        .u16(m.error).string(m.message).done();
    case MessageType.SetBitrate:
      return w.u32(m.bitrateKbps).done();
    case MessageType.Ping:
      return w.u64(m.hostTimeUs).done();
    case MessageType.HelloReply:
      return w
        .u16(m.protocolVersion).string(m.agentVersion).string(m.boardName).u8(m.codecs)
        .u16(m.maxWidth).u16(m.maxHeight).u16(m.maxFps).u8(m.storage ? 1 : 0).done();
    case MessageType.Pong:
      return w.u64(m.hostTimeUs).u64(m.boardTimeUs).done();
    case MessageType.Error:
      return w.u16(m.code).string(m.message).done();
    case MessageType.InitSegment:
      return w.u8(m.codec).u16(m.width).u16(m.height).string(m.codecString).raw(m.data).done();
    case MessageType.Fragment:
      return w.u32(m.sequence).u64(m.ptsUs).u8(m.flags).u32(m.dropped).raw(m.data).done();
  }
}

/** Decodes a payload by its frame type; throws MalformedMessageError when it does not parse exactly. */
export function decodePayload(type: number, id: number, payload: Uint8Array): Message {
  const r = new Reader(payload);
  let m: Message;
  switch (type) {
    case MessageType.Hello:
      m = { type, id, protocolVersion: r.u16(), hostName: r.string() };
      break;
    case MessageType.StreamStart:
      m = { type, id, ...readSettings(r) };
      break;
    case MessageType.StreamStop:
    case MessageType.RequestIdr:
    case MessageType.Ok:
    case MessageType.StorageInfo:
    case MessageType.BoardRecordStop:
    case MessageType.BoardRecordStatus:
      m = { type, id };
      break;
    case MessageType.FileList:
    case MessageType.FileStat:
    case MessageType.FileChecksum:
    case MessageType.FileDelete:
      m = { type, id, path: r.path() };
      break;
    case MessageType.FileRead:
      m = { type, id, path: r.path(), offset: r.u64(), length: r.u32() };
      break;
    case MessageType.BoardRecordStart:
      m = { type, id, path: r.path(), settings: readSettings(r) };
      break;
    case MessageType.FileListReply: {
      const truncated = r.u8() !== 0;
      const count = r.u16();
      const entries: FileEntry[] = [];
      for (let i = 0; i < count; i++) {
        const fileType = r.u8();
        const size = r.u64();
        const mtimeMs = r.u64();
        entries.push({ fileType, size, mtimeMs, name: r.string() });
      }
      m = { type, id, truncated, entries };
      break;
    }
    case MessageType.FileStatReply:
      m = { type, id, fileType: r.u8(), size: r.u64(), mtimeMs: r.u64() };
      break;
    case MessageType.FileData:
      m = { type, id, offset: r.u64(), data: r.rest() };
      break;
    case MessageType.FileChecksumReply:
      m = { type, id, size: r.u64(), sha256: r.bytes32() };
      break;
    case MessageType.StorageInfoReply:
      m = { type, id, total: r.u64(), available: r.u64() };
      break;
    case MessageType.BoardRecording:
      m = {
        type, id, active: r.u8() !== 0, path: r.path(), elapsedUs: r.u64(), bytes: r.u64(), frames: r.u32(),
        dropped: r.u32(), error: r.u16(), message: r.string(),
      };
      break;
    case MessageType.SetBitrate:
      m = { type, id, bitrateKbps: r.u32() };
      break;
    case MessageType.Ping:
      m = { type, id, hostTimeUs: r.u64() };
      break;
    case MessageType.HelloReply:
      m = {
        type, id, protocolVersion: r.u16(), agentVersion: r.string(), boardName: r.string(), codecs: r.u8(),
        maxWidth: r.u16(), maxHeight: r.u16(), maxFps: r.u16(), storage: r.u8() !== 0,
      };
      break;
    case MessageType.Pong:
      m = { type, id, hostTimeUs: r.u64(), boardTimeUs: r.u64() };
      break;
    case MessageType.Error:
      m = { type, id, code: r.u16(), message: r.string() };
      break;
    case MessageType.InitSegment:
      m = { type, id, codec: r.u8(), width: r.u16(), height: r.u16(), codecString: r.string(), data: r.rest() };
      break;
    case MessageType.Fragment:
      m = { type, id, sequence: r.u32(), ptsUs: r.u64(), flags: r.u8(), dropped: r.u32(), data: r.rest() };
      break;
    default:
      throw new MalformedMessageError(`unknown message type 0x${type.toString(16)}`);
  }
  r.end();
  return m;
}

/** Agent-to-host messages with id 0 are events; with a request's id, replies. */
export function isEvent(m: Message): m is BoardEvent {
  return (m.type === MessageType.InitSegment || m.type === MessageType.Fragment || m.type === MessageType.BoardRecording) && m.id === 0;
}
