// The session description an RTSP DESCRIBE answers with (RFC 4566, as RFC 2326 Appendix C uses it): one
// video stream and, when the board has a microphone, one sound stream, each under its own control URL.
import { isIPv4, isIPv6 } from 'node:net';
import { H264, H265, nalType, type VideoCodec } from '../../bitstream/annexb';
import { parseHevcSps } from '../../bitstream/sps';
import { soundEncodingName, type SoundCodec, type SoundRate } from '../rtp/rtp-sound';

export interface VideoDescription {
  codec: VideoCodec;
  payloadType: number;
  /** its a=control: a URL relative to the session's (RFC 2326 §C.1.1), e.g. "trackID=0" */
  control: string;
  sps: Uint8Array;
  pps: Uint8Array;
  /** H.265 only, where it is required */
  vps?: Uint8Array;
}

export interface SoundDescription {
  codec: SoundCodec;
  rate: SoundRate;
  payloadType: number;
  control: string;
}

export interface SessionOptions {
  /** the server's address, as o= names it (IPv4 or IPv6; an IPv4-mapped IPv6 address counts as IPv4) */
  origin: string;
  sessionName: string;
  /** o='s sess-id (RFC 4566 §5.2), a number as text; default "0" */
  sessionId?: string;
  video: VideoDescription;
  sound?: SoundDescription;
}

/** The description, each line ending in CRLF (RFC 4566 §5). */
export function sessionDescription(o: SessionOptions): string {
  const { addressType, address } = originAddress(o.origin);
  const sessionId = o.sessionId ?? '0';
  if (!/^\d+$/.test(sessionId)) throw new Error(`SDP session id "${sessionId}" is not a number`);
  const lines = [
    'v=0',
    // No user name: "-" (§5.2). The version stays 0: a description is made per DESCRIBE, never modified.
    `o=- ${sessionId} 0 IN ${addressType} ${address}`,
    `s=${text(o.sessionName) || ' '}`,
    // Where the media go is up to each client's SETUP, so the connection address is the null one (RFC 2326 §C.1.7).
    `c=IN ${addressType} ${addressType === 'IP4' ? '0.0.0.0' : '::'}`,
    't=0 0', // neither start nor end: the session is permanent (§5.9)
    'a=control:*', // aggregate control at the URL the client asked for (RFC 2326 §C.1.1)
    'a=range:npt=now-', // live: "now" is the current instant of a live event, and there is no end (RFC 2326 §3.6)
    ...videoMedia(o.video),
    ...(o.sound ? soundMedia(o.sound) : []),
  ];
  return lines.map((line) => `${line}\r\n`).join('');
}

/** Port 0: the server has no port to recommend, as the client names its own in SETUP (RFC 2326 §C.1.2). */
function videoMedia(v: VideoDescription): string[] {
  const name = v.codec === 'h264' ? 'H264' : 'H265';
  const fmtp = v.codec === 'h264' ? h264Fmtp(v) : h265Fmtp(v);
  return [`m=video 0 RTP/AVP ${payloadType(v.payloadType)}`, `a=rtpmap:${v.payloadType} ${name}/90000`, `a=fmtp:${v.payloadType} ${fmtp}`, control(v.control)];
}

function soundMedia(s: SoundDescription): string[] {
  // The channel count, 1, may be left out of a=rtpmap (RFC 4566 §6). The static 0 and 8 need no
  // rtpmap at all (RFC 3551 §6); it is written anyway, as clients are better at reading it than at knowing that.
  return [`m=audio 0 RTP/AVP ${payloadType(s.payloadType)}`, `a=rtpmap:${s.payloadType} ${soundEncodingName(s.codec)}/${s.rate}`, control(s.control)];
}

/**
 * RFC 6184 §8.1: mode 1 (FU-A and STAP-A allowed, in decoding order); profile-level-id, the SPS's
 * profile_idc, constraint flags and level_idc in hex; the parameter sets in base64 (RFC 4648 §4), so a
 * client knows the picture size before the first keyframe.
 */
function h264Fmtp(v: VideoDescription): string {
  expectType(v.codec, v.sps, H264.SPS, 'sps');
  expectType(v.codec, v.pps, H264.PPS, 'pps');
  if (v.sps.length < 4) throw new Error(`H.264 SPS of ${v.sps.length} bytes has no profile and level`);
  // Bytes 1..3 hold no emulation-prevention byte: that needs two zeros before it, and profile_idc is never 0.
  const profileLevelId = Buffer.from(v.sps.subarray(1, 4)).toString('hex');
  return `packetization-mode=1;profile-level-id=${profileLevelId};sprop-parameter-sets=${base64(v.sps)},${base64(v.pps)}`;
}

/**
 * RFC 7798 §7.1: sprop-vps, sprop-sps, sprop-pps in base64 (RFC 4648 §4). profile-id, tier-flag and
 * level-id come from the SPS: left out, they would mean Main at level 3.1, the defaults. No
 * sprop-max-don-diff: it is 0, so the packets carry no DONL fields.
 */
function h265Fmtp(v: VideoDescription): string {
  if (!v.vps) throw new Error('an H.265 description needs the VPS');
  expectType(v.codec, v.vps, H265.VPS, 'vps');
  expectType(v.codec, v.sps, H265.SPS, 'sps');
  expectType(v.codec, v.pps, H265.PPS, 'pps');
  const sps = parseHevcSps(v.sps);
  const profile = [...(sps.profileSpace ? [`profile-space=${sps.profileSpace}`] : []), `profile-id=${sps.profileIdc}`, `tier-flag=${sps.tierFlag}`, `level-id=${sps.levelIdc}`];
  return [...profile, `sprop-vps=${base64(v.vps)}`, `sprop-sps=${base64(v.sps)}`, `sprop-pps=${base64(v.pps)}`].join(';');
}

function expectType(codec: VideoCodec, nal: Uint8Array, type: number, field: string): void {
  if (nal.length === 0 || nalType(codec, nal) !== type) throw new Error(`the ${field} given is not an ${codec === 'h264' ? 'H.264' : 'H.265'} ${field.toUpperCase()}`);
}

function originAddress(origin: string): { addressType: 'IP4' | 'IP6'; address: string } {
  // A dual-stack socket names an IPv4 peer ::ffff:a.b.c.d.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(origin);
  if (mapped) return { addressType: 'IP4', address: mapped[1] };
  if (isIPv4(origin)) return { addressType: 'IP4', address: origin };
  if (isIPv6(origin)) return { addressType: 'IP6', address: origin.replace(/%.*$/, '') }; // no zone: SDP has no syntax for it
  throw new Error(`SDP origin "${origin}" is not an IP address`);
}

function payloadType(pt: number): number {
  if (!Number.isInteger(pt) || pt < 0 || pt > 127) throw new RangeError(`RTP payload type ${pt} is not 0..127`);
  return pt;
}

function control(url: string): string {
  if (!url || /[\r\n\s]/.test(url)) throw new Error(`a=control "${url}" is empty or has white space`);
  return `a=control:${url}`;
}

/** SDP text may hold no CR, LF or NUL (RFC 4566 §5); a session name from elsewhere gets spaces instead. */
function text(value: string): string {
  return value.replace(/[\r\n\0]/g, ' ');
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
