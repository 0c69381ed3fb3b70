// The typed messages of the K230 Live protocol: one interface per message, one union, one codec.
// Payload layouts are documented in docs/protocol.md; the agent's C twin is device-agent/src/msg.c.

export const PROTOCOL_VERSION = 1;

export const enum MessageType {
  // host -> agent requests
  Hello = 0x01,
  StreamStart = 0x02,
  StreamStop = 0x03,
  RequestIdr = 0x04,
  SetBitrate = 0x05,
  Ping = 0x06,
  // agent -> host replies, with the request's id
  Ok = 0x80,
  HelloReply = 0x81,
  Pong = 0x86,
  Error = 0xff,
  // agent -> host events, id 0
  InitSegment = 0xa0,
  Fragment = 0xa1,
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
}

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

export type Request =
  | HelloMessage
  | StreamStartMessage
  | StreamStopMessage
  | RequestIdrMessage
  | SetBitrateMessage
  | PingMessage;
export type Reply = OkMessage | HelloReplyMessage | PongMessage | ErrorMessage;
export type BoardEvent = InitSegmentMessage | FragmentMessage;
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
    const n = this.u8();
    const at = this.need(n);
    return textDecoder.decode(this.bytes.subarray(at, at + n));
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
  u8(v: number): this { this.bytes[this.room(1)] = v; return this; }
  u16(v: number): this { this.view.setUint16(this.room(2), v, true); return this; }
  u32(v: number): this { this.view.setUint32(this.room(4), v, true); return this; }
  u64(v: bigint): this { this.view.setBigUint64(this.room(8), v, true); return this; }
  string(s: string): this {
    let b = textEncoder.encode(s);
    if (b.length > 255) b = b.subarray(0, 255);
    this.u8(b.length);
    return this.raw(b);
  }
  raw(b: Uint8Array): this {
    const at = this.room(b.length); // room() may replace this.bytes: take the offset first
    this.bytes.set(b, at);
    return this;
  }
  done(): Uint8Array { return this.bytes.slice(0, this.at); }
}

/** Encodes a message's payload (the frame around it is framing.ts's job). */
export function encodePayload(m: Message): Uint8Array {
  const w = new Writer();
  switch (m.type) {
    case MessageType.Hello:
      return w.u16(m.protocolVersion).string(m.hostName).done();
    case MessageType.StreamStart:
      return w.u16(m.width).u16(m.height).u16(m.fps).u8(m.codec).u8(m.profile).u32(m.bitrateKbps).u16(m.gop).done();
    case MessageType.StreamStop:
    case MessageType.RequestIdr:
    case MessageType.Ok:
      return w.done();
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
      m = { type, id, width: r.u16(), height: r.u16(), fps: r.u16(), codec: r.u8(), profile: r.u8(), bitrateKbps: r.u32(), gop: r.u16() };
      break;
    case MessageType.StreamStop:
    case MessageType.RequestIdr:
    case MessageType.Ok:
      m = { type, id };
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

export function isReply(m: Message): m is Reply {
  return m.type === MessageType.Ok || m.type === MessageType.HelloReply || m.type === MessageType.Pong || m.type === MessageType.Error;
}

export function isEvent(m: Message): m is BoardEvent {
  return m.type === MessageType.InitSegment || m.type === MessageType.Fragment;
}
