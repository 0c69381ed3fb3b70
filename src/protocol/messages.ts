// The K230 Live protocol's messages, described once: each message's name, direction and fields in
// wire order (LAYOUTS below). Encode, decode, dump and the TypeScript types are all derived from
// that description. The bytes are documented in docs/protocol.md; the agent's C twin is
// device-agent/src/msg_layouts.h, and the golden vectors in test/vectors hold the two together.
import { MalformedMessageError, Reader, Writer } from './wire-values';

export { MalformedMessageError } from './wire-values';

export const PROTOCOL_VERSION = 5;

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
  FileWrite = 0x16,
  FileRename = 0x17,
  FileMkdir = 0x18,
  BoardRecordStart = 0x20,
  BoardRecordStop = 0x21,
  BoardRecordStatus = 0x22,
  /** the user's script: run it, give it input, stop it (the MicroPython agent only) */
  ScriptRun = 0x30,
  ScriptInput = 0x31,
  ScriptStop = 0x32,
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
  /** a chunk of sound: its own trak (2), beside the pictures' FRAGMENTs */
  AudioFragment = 0xa3,
  /** what the running script printed, in order */
  ScriptOutput = 0xa4,
  /** the script ended: how, after how long, and its traceback when it raised */
  ScriptEnded = 0xa5,
  /** which sources the board can stream now, and which one the live stream shows */
  Sources = 0xa6,
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

/** What a stream shows: the camera, or the composited display a script shows (its write-back).
 * Follow: the script's display while one shows, else the camera (settings only). */
export const enum Source {
  Camera = 0,
  Display = 1,
  Follow = 2,
}

/** SOURCES' `live` when no source is streamed (the one asked for is not there now) */
export const SOURCE_NONE = 0xff;
/** HELLO_REPLY's `sources` and SOURCES' `available`: one bit per source */
export const sourceBit = (s: Source.Camera | Source.Display): number => 1 << s;

/** The sound beside the pictures: G.711 A-law or mu-law, mono, 8000 or 16000 Hz. */
export const enum AudioCodec {
  Off = 0,
  G711A = 1,
  G711U = 2,
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
  /** this agent does not do that at all (the C agent has no MicroPython to run a script) */
  Unsupported = 15,
  /** a script runs, and it holds what the request needs */
  ScriptRunning = 16,
}

/** How a script ended (SCRIPT_ENDED's `how`). */
export const enum ScriptEnd {
  Finished = 0,
  Exception = 1,
  Stopped = 2,
  /** it did not stop when asked: the board was soft-reset */
  Reset = 3,
}

export const enum FileType {
  File = 1,
  Directory = 2,
  Other = 3,
}

/** The longest FILE_READ the agent answers in full. */
export const FILE_READ_MAX = 256 * 1024;

export const FRAGMENT_KEYFRAME = 0x01;

// ---- field kinds: how each kind of field is read, written and dumped

/** What a field of each kind holds in a decoded message. */
interface KindValues {
  u8: number;
  u16: number;
  u32: number;
  u64: bigint;
  /** a u8 that is 0 or 1 */
  flag: boolean;
  codec: Codec;
  profile: Profile;
  audioCodec: AudioCodec;
  source: Source;
  fileType: FileType;
  string: string;
  path: string;
  sha256: Uint8Array;
  /** every byte to the end of the payload */
  rest: Uint8Array;
  /** STREAM_START's fields, as one value */
  settings: StreamSettings;
  /** u16 count, then count x ENTRY_FIELDS */
  entries: FileEntry[];
}
type Kind = keyof KindValues;
type Field = readonly [name: string, kind: Kind];
type FieldsOf<F extends readonly Field[]> = { -readonly [E in F[number] as E[0]]: KindValues[E[1]] };

interface KindCodec<V> {
  read(r: Reader): V;
  write(w: Writer, v: V): void;
  /** the dump's lines for this field: `key = value`, or several for a composite */
  dump(key: string, v: V, lines: string[]): void;
  /** a plain kind's value as the dump writes it */
  text?(v: V): string;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
/** A kind of one value, dumped as one `key = value` line. */
const plain = <V>(read: (r: Reader) => V, write: (w: Writer, v: V) => void, text: (v: V) => string = String): KindCodec<V> => ({
  read, write, text, dump: (k, v, lines) => lines.push(`${k} = ${text(v)}`),
});
const u8 = plain((r) => r.u8(), (w, v: number) => w.u8(v));

const KINDS: { [K in Kind]: KindCodec<KindValues[K]> } = {
  u8,
  u16: plain((r) => r.u16(), (w, v) => w.u16(v)),
  u32: plain((r) => r.u32(), (w, v) => w.u32(v)),
  u64: plain((r) => r.u64(), (w, v) => w.u64(v)),
  flag: plain((r) => r.u8() !== 0, (w, v) => w.u8(v ? 1 : 0), (v) => (v ? '1' : '0')),
  codec: u8,
  profile: u8,
  audioCodec: u8,
  source: u8,
  fileType: u8,
  string: plain((r) => r.string(), (w, v) => w.string(v)),
  path: plain((r) => r.path(), (w, v) => w.path(v)),
  sha256: plain((r) => r.fixed(32), (w, v) => w.raw(v), hex),
  rest: plain((r) => r.rest(), (w, v) => w.raw(v), hex),
  settings: {
    read: (r) => readFields(r, SETTINGS_FIELDS),
    write: (w, v) => writeFields(w, SETTINGS_FIELDS, v),
    dump: (_k, v, lines) => dumpFields(SETTINGS_FIELDS, v, lines),
  },
  entries: {
    read: (r) => Array.from({ length: r.u16() }, () => readFields(r, ENTRY_FIELDS)),
    write: (w, v) => {
      w.u16(v.length);
      for (const e of v) writeFields(w, ENTRY_FIELDS, e);
    },
    // "count = N", then one line per entry with its (plain) values in wire order.
    dump: (_k, v, lines) => {
      lines.push(`count = ${v.length}`);
      for (const e of v) {
        const values = ENTRY_FIELDS.map(([name, kind]) => (KINDS[kind] as KindCodec<unknown>).text!((e as Values)[name]));
        lines.push(`entry = ${values.join(' ')}`);
      }
    },
  },
};

/** The dump's key of a field: its name in snake case, as the C agent names it. */
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

type Values = Record<string, unknown>;
function readFields<F extends readonly Field[]>(r: Reader, fields: F): FieldsOf<F> {
  const v: Values = {};
  for (const [name, kind] of fields) v[name] = KINDS[kind].read(r);
  return v as FieldsOf<F>;
}
function writeFields(w: Writer, fields: readonly Field[], v: object): void {
  for (const [name, kind] of fields) (KINDS[kind] as KindCodec<unknown>).write(w, (v as Values)[name]);
}
function dumpFields(fields: readonly Field[], v: object, lines: string[]): void {
  for (const [name, kind] of fields) (KINDS[kind] as KindCodec<unknown>).dump(snake(name), (v as Values)[name], lines);
}

// ---- the description: every message's name, direction and fields, in wire order

const SETTINGS_FIELDS = [
  ['width', 'u16'], ['height', 'u16'], ['fps', 'u16'], ['codec', 'codec'], ['profile', 'profile'],
  ['bitrateKbps', 'u32'], ['gop', 'u16'], ['audio', 'audioCodec'], ['audioRate', 'u16'],
  ['source', 'source'],
] as const;
const ENTRY_FIELDS = [['fileType', 'fileType'], ['size', 'u64'], ['mtimeMs', 'u64'], ['name', 'string']] as const;
const PATH = [['path', 'path']] as const;
const NONE = [] as const;

/** request: host to agent. reply: agent to host, with the request's id. event: agent to host, id 0. */
type Role = 'request' | 'reply' | 'event' | 'reply or event';
interface Layout { readonly name: string; readonly role: Role; readonly fields: readonly Field[] }

export const LAYOUTS = {
  [MessageType.Hello]: { name: 'HELLO', role: 'request', fields: [['protocolVersion', 'u16'], ['hostName', 'string']] },
  [MessageType.StreamStart]: { name: 'STREAM_START', role: 'request', fields: [['settings', 'settings']] },
  [MessageType.StreamStop]: { name: 'STREAM_STOP', role: 'request', fields: NONE },
  [MessageType.RequestIdr]: { name: 'REQUEST_IDR', role: 'request', fields: NONE },
  [MessageType.SetBitrate]: { name: 'SET_BITRATE', role: 'request', fields: [['bitrateKbps', 'u32']] },
  [MessageType.Ping]: { name: 'PING', role: 'request', fields: [['hostTimeUs', 'u64']] },
  [MessageType.FileList]: { name: 'FILE_LIST', role: 'request', fields: PATH },
  [MessageType.FileStat]: { name: 'FILE_STAT', role: 'request', fields: PATH },
  [MessageType.FileRead]: { name: 'FILE_READ', role: 'request', fields: [['path', 'path'], ['offset', 'u64'], ['length', 'u32']] },
  [MessageType.FileChecksum]: { name: 'FILE_CHECKSUM', role: 'request', fields: PATH },
  [MessageType.FileDelete]: { name: 'FILE_DELETE', role: 'request', fields: PATH },
  [MessageType.StorageInfo]: { name: 'STORAGE_INFO', role: 'request', fields: NONE },
  [MessageType.BoardRecordStart]: { name: 'BOARD_RECORD_START', role: 'request', fields: [['path', 'path'], ['settings', 'settings']] },
  [MessageType.BoardRecordStop]: { name: 'BOARD_RECORD_STOP', role: 'request', fields: NONE },
  [MessageType.BoardRecordStatus]: { name: 'BOARD_RECORD_STATUS', role: 'request', fields: NONE },
  [MessageType.FileWrite]: { name: 'FILE_WRITE', role: 'request', fields: [['path', 'path'], ['offset', 'u64'], ['data', 'rest']] },
  [MessageType.FileRename]: { name: 'FILE_RENAME', role: 'request', fields: [['path', 'path'], ['to', 'path'], ['replace', 'flag']] },
  [MessageType.FileMkdir]: { name: 'FILE_MKDIR', role: 'request', fields: PATH },
  [MessageType.ScriptRun]: { name: 'SCRIPT_RUN', role: 'request', fields: [['name', 'string'], ['source', 'rest']] },
  [MessageType.ScriptInput]: { name: 'SCRIPT_INPUT', role: 'request', fields: [['data', 'rest']] },
  [MessageType.ScriptStop]: { name: 'SCRIPT_STOP', role: 'request', fields: [['force', 'flag']] },
  [MessageType.Ok]: { name: 'OK', role: 'reply', fields: NONE },
  [MessageType.HelloReply]: {
    name: 'HELLO_REPLY', role: 'reply', fields: [
      ['protocolVersion', 'u16'], ['agentVersion', 'string'], ['boardName', 'string'], ['codecs', 'u8'],
      ['maxWidth', 'u16'], ['maxHeight', 'u16'], ['maxFps', 'u16'], ['storage', 'flag'], ['audioCodecs', 'u8'],
      ['scripts', 'flag'], ['sources', 'u8'],
    ],
  },
  [MessageType.Pong]: { name: 'PONG', role: 'reply', fields: [['hostTimeUs', 'u64'], ['boardTimeUs', 'u64']] },
  [MessageType.FileListReply]: { name: 'FILE_LIST_REPLY', role: 'reply', fields: [['truncated', 'flag'], ['entries', 'entries']] },
  [MessageType.FileStatReply]: { name: 'FILE_STAT_REPLY', role: 'reply', fields: [['fileType', 'fileType'], ['size', 'u64'], ['mtimeMs', 'u64']] },
  [MessageType.FileData]: { name: 'FILE_DATA', role: 'reply', fields: [['offset', 'u64'], ['data', 'rest']] },
  [MessageType.FileChecksumReply]: { name: 'FILE_CHECKSUM_REPLY', role: 'reply', fields: [['size', 'u64'], ['sha256', 'sha256']] },
  [MessageType.StorageInfoReply]: { name: 'STORAGE_INFO_REPLY', role: 'reply', fields: [['total', 'u64'], ['available', 'u64']] },
  [MessageType.Error]: { name: 'ERROR', role: 'reply', fields: [['code', 'u16'], ['message', 'string']] },
  [MessageType.InitSegment]: {
    name: 'INIT_SEGMENT', role: 'event',
    fields: [
      ['codec', 'codec'], ['width', 'u16'], ['height', 'u16'], ['codecString', 'string'], ['audio', 'audioCodec'],
      ['audioRate', 'u16'], ['source', 'source'], ['data', 'rest'],
    ],
  },
  [MessageType.Fragment]: {
    name: 'FRAGMENT', role: 'event',
    fields: [['sequence', 'u32'], ['ptsUs', 'u64'], ['flags', 'u8'], ['dropped', 'u32'], ['data', 'rest']],
  },
  [MessageType.BoardRecording]: {
    name: 'BOARD_RECORDING', role: 'reply or event', fields: [
      ['active', 'flag'], ['path', 'path'], ['elapsedUs', 'u64'], ['bytes', 'u64'], ['frames', 'u32'],
      ['dropped', 'u32'], ['error', 'u16'], ['message', 'string'],
    ],
  },
  [MessageType.AudioFragment]: {
    name: 'AUDIO_FRAGMENT', role: 'event', fields: [['sequence', 'u32'], ['ptsUs', 'u64'], ['dropped', 'u32'], ['data', 'rest']],
  },
  [MessageType.ScriptOutput]: { name: 'SCRIPT_OUTPUT', role: 'event', fields: [['dropped', 'u32'], ['data', 'rest']] },
  [MessageType.ScriptEnded]: {
    name: 'SCRIPT_ENDED', role: 'event', fields: [['how', 'u8'], ['elapsedUs', 'u64'], ['line', 'u32'], ['traceback', 'rest']],
  },
  [MessageType.Sources]: { name: 'SOURCES', role: 'event', fields: [['available', 'u8'], ['live', 'u8']] },
} as const satisfies Record<MessageType, Layout>;

// ---- the types, derived from the description

type Layouts = typeof LAYOUTS;
export type StreamSettings = FieldsOf<typeof SETTINGS_FIELDS>;
export type FileEntry = FieldsOf<typeof ENTRY_FIELDS>;
/** The message of one type: its type, its id, and its fields. */
export type MessageOf<T extends MessageType> = { type: T; id: number } & FieldsOf<Layouts[T]['fields']>;
type OfRole<R extends Role> = { [T in MessageType]: Layouts[T]['role'] extends R ? MessageOf<T> : never }[MessageType];

export type Message = { [T in MessageType]: MessageOf<T> }[MessageType];
export type Request = OfRole<'request'>;
export type Reply = OfRole<'reply' | 'reply or event'>;
export type BoardEvent = OfRole<'event' | 'reply or event'>;

export type HelloReplyMessage = MessageOf<MessageType.HelloReply>;
export type BoardRecordingMessage = MessageOf<MessageType.BoardRecording>;
export type InitSegmentMessage = MessageOf<MessageType.InitSegment>;
export type FragmentMessage = MessageOf<MessageType.Fragment>;
export type AudioFragmentMessage = MessageOf<MessageType.AudioFragment>;
export type ScriptOutputMessage = MessageOf<MessageType.ScriptOutput>;
export type ScriptEndedMessage = MessageOf<MessageType.ScriptEnded>;
export type SourcesMessage = MessageOf<MessageType.Sources>;

// ---- encode, decode and dump, each one walk over the description

const layoutOf = (type: number): Layout | undefined => (LAYOUTS as Record<number, Layout>)[type];

/** Encodes a message's payload (the frame around it is framing.ts's job). */
export function encodePayload(m: Message): Uint8Array {
  const w = new Writer();
  writeFields(w, LAYOUTS[m.type].fields, m);
  return w.done();
}

/** Decodes a payload by its frame type; throws MalformedMessageError when it does not parse exactly. */
export function decodePayload(type: number, id: number, payload: Uint8Array): Message {
  const layout = layoutOf(type);
  if (!layout) throw new MalformedMessageError(`unknown message type 0x${type.toString(16)}`);
  const r = new Reader(payload);
  const m: Values = { type, id };
  for (const [name, kind] of layout.fields) m[name] = KINDS[kind].read(r);
  r.end();
  return m as Message;
}

/** The "key = value" text form, field by field in wire order, that the agent's msg_dump writes too:
 * the golden vectors in test/vectors compare both implementations through it. */
export function dumpMessage(m: Message): string[] {
  const lines = [`type = ${messageTypeName(m.type)}`, `id = ${m.id}`];
  dumpFields(LAYOUTS[m.type].fields, m, lines);
  return lines;
}

export function messageTypeName(type: number): string {
  return layoutOf(type)?.name ?? `0x${type.toString(16).padStart(2, '0')}`;
}

/** Agent-to-host messages with id 0 are events; with a request's id, replies. */
export function isEvent(m: Message): m is BoardEvent {
  const role = LAYOUTS[m.type].role;
  return (role === 'event' || role === 'reply or event') && m.id === 0;
}
