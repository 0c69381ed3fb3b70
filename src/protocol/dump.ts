// The "key = value" text form of a message, field by field in wire order, shared with the agent's
// msg_dump: the golden vectors in test/vectors compare both implementations through it.
import { Message, MessageType, StreamSettings } from './messages';

const TYPE_NAMES: Record<number, string> = {
  [MessageType.Hello]: 'HELLO',
  [MessageType.StreamStart]: 'STREAM_START',
  [MessageType.StreamStop]: 'STREAM_STOP',
  [MessageType.RequestIdr]: 'REQUEST_IDR',
  [MessageType.SetBitrate]: 'SET_BITRATE',
  [MessageType.Ping]: 'PING',
  [MessageType.Ok]: 'OK',
  [MessageType.HelloReply]: 'HELLO_REPLY',
  [MessageType.Pong]: 'PONG',
  [MessageType.Error]: 'ERROR',
  [MessageType.InitSegment]: 'INIT_SEGMENT',
  [MessageType.Fragment]: 'FRAGMENT',
  [MessageType.FileList]: 'FILE_LIST',
  [MessageType.FileStat]: 'FILE_STAT',
  [MessageType.FileRead]: 'FILE_READ',
  [MessageType.FileChecksum]: 'FILE_CHECKSUM',
  [MessageType.FileDelete]: 'FILE_DELETE',
  [MessageType.StorageInfo]: 'STORAGE_INFO',
  [MessageType.BoardRecordStart]: 'BOARD_RECORD_START',
  [MessageType.BoardRecordStop]: 'BOARD_RECORD_STOP',
  [MessageType.BoardRecordStatus]: 'BOARD_RECORD_STATUS',
  [MessageType.FileListReply]: 'FILE_LIST_REPLY',
  [MessageType.FileStatReply]: 'FILE_STAT_REPLY',
  [MessageType.FileData]: 'FILE_DATA',
  [MessageType.FileChecksumReply]: 'FILE_CHECKSUM_REPLY',
  [MessageType.StorageInfoReply]: 'STORAGE_INFO_REPLY',
  [MessageType.BoardRecording]: 'BOARD_RECORDING',
};

export function messageTypeName(type: number): string {
  return TYPE_NAMES[type] ?? 'UNKNOWN';
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

export function dumpMessage(m: Message): string[] {
  const lines = [`type = ${messageTypeName(m.type)}`, `id = ${m.id}`];
  const add = (k: string, v: string | number | bigint) => lines.push(`${k} = ${v}`);
  const settings = (s: StreamSettings) => {
    add('width', s.width); add('height', s.height); add('fps', s.fps); add('codec', s.codec);
    add('profile', s.profile); add('bitrate_kbps', s.bitrateKbps); add('gop', s.gop);
  };
  switch (m.type) {
    case MessageType.Hello:
      add('protocol_version', m.protocolVersion); add('host_name', m.hostName);
      break;
    case MessageType.StreamStart:
      settings(m);
      break;
    case MessageType.FileList:
    case MessageType.FileStat:
    case MessageType.FileChecksum:
    case MessageType.FileDelete:
      add('path', m.path);
      break;
    case MessageType.FileRead:
      add('path', m.path); add('offset', m.offset); add('length', m.length);
      break;
    case MessageType.BoardRecordStart:
      add('path', m.path);
      settings(m.settings);
      break;
    case MessageType.FileListReply:
      add('truncated', m.truncated ? 1 : 0); add('count', m.entries.length);
      for (const e of m.entries) add('entry', `${e.fileType} ${e.size} ${e.mtimeMs} ${e.name}`);
      break;
    case MessageType.FileStatReply:
      add('file_type', m.fileType); add('size', m.size); add('mtime_ms', m.mtimeMs);
      break;
    case MessageType.FileData:
      add('offset', m.offset); add('data', hex(m.data));
      break;
    case MessageType.FileChecksumReply:
      add('size', m.size); add('sha256', hex(m.sha256));
      break;
    case MessageType.StorageInfoReply:
      add('total', m.total); add('available', m.available);
      break;
    case MessageType.BoardRecording:
      add('active', m.active ? 1 : 0); add('path', m.path); add('elapsed_us', m.elapsedUs); add('written', m.bytes);
      add('frames', m.frames); add('dropped', m.dropped); add('error', m.error); add('message', m.message);
      break;
    case MessageType.SetBitrate:
      add('bitrate_kbps', m.bitrateKbps);
      break;
    case MessageType.Ping:
      add('host_time_us', m.hostTimeUs);
      break;
    case MessageType.HelloReply:
      add('protocol_version', m.protocolVersion); add('agent_version', m.agentVersion); add('board_name', m.boardName);
      add('codecs', m.codecs); add('max_width', m.maxWidth); add('max_height', m.maxHeight); add('max_fps', m.maxFps);
      add('storage', m.storage ? 1 : 0);
      break;
    case MessageType.Pong:
      add('host_time_us', m.hostTimeUs); add('board_time_us', m.boardTimeUs);
      break;
    case MessageType.Error:
      add('code', m.code); add('message', m.message);
      break;
    case MessageType.InitSegment:
      add('codec', m.codec); add('width', m.width); add('height', m.height); add('codec_string', m.codecString);
      add('data', hex(m.data));
      break;
    case MessageType.Fragment:
      add('sequence', m.sequence); add('pts_us', m.ptsUs); add('flags', m.flags); add('dropped', m.dropped);
      add('data', hex(m.data));
      break;
    default:
      break;
  }
  return lines;
}
