// The "key = value" text form of a message, field by field in wire order, shared with the agent's
// msg_dump: the golden vectors in test/vectors compare both implementations through it.
import { Message, MessageType } from './messages';

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
  switch (m.type) {
    case MessageType.Hello:
      add('protocol_version', m.protocolVersion); add('host_name', m.hostName);
      break;
    case MessageType.StreamStart:
      add('width', m.width); add('height', m.height); add('fps', m.fps); add('codec', m.codec);
      add('profile', m.profile); add('bitrate_kbps', m.bitrateKbps); add('gop', m.gop);
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
