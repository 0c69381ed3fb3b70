// H.264 and H.265 access units into RTP packets, as RTSP clients (ffmpeg, GStreamer, OpenCV, OBS) take
// them: RFC 6184 in packetization mode 1 (single NAL unit packets, STAP-A, FU-A) and RFC 7798 without
// DONL fields (single NAL unit packets, AP, FU). Pure: no sockets.
import { readU32BE } from '../../../shared/mp4-boxes';
import { H264, H265, isKeyframeNal as isKeyframeType, nalType, type VideoCodec } from '../../bitstream/annexb';
import { RTP_HEADER_SIZE, RtpPacketizer, RtpSender, type RtpSenderOptions } from './rtp-header';

export interface RtpVideoOptions extends RtpSenderOptions {
  /** the whole RTP packet, header included (default 1400: under a 1500-byte Ethernet MTU with IP, UDP or TCP) */
  maxPacketSize?: number;
}

const DEFAULT_MAX_PACKET_SIZE = 1400;

/** Packet types carried in the NAL unit type field (RFC 6184 §5.2 Table 1, RFC 7798 §4.4). */
const STAP_A = 24;
const FU_A = 28;
const AP = 48;
const FU = 49;

/** Filler data: padding for a constant bit rate, which a client has no use for. */
const H264_FILLER = 12;
const H265_FILLER = 38;

/** The NAL unit header is one byte in H.264 (F|NRI|Type) and two in H.265 (F|Type|LayerId|TID). */
function headerSize(codec: VideoCodec): number {
  return codec === 'h264' ? 1 : 2;
}

/** Each aggregated NAL unit is preceded by its 16-bit size (RFC 6184 §5.7.1, RFC 7798 §4.4.2). */
const AGGREGATION_UNIT_SIZE = 2;

/** The packet's own header bytes in front of a fragment: FU indicator + FU header, or payload header + FU header. */
function fragmentHeaderSize(codec: VideoCodec): number {
  return headerSize(codec) + 1;
}

/** Even the smallest fragment needs the RTP header, the FU headers and one byte of the NAL unit. */
const MIN_PACKET_SIZE = RTP_HEADER_SIZE + fragmentHeaderSize('h265') + 1;

/** The parameter sets a decoder needs before a keyframe, in the order it must read them. */
function parameterSetTypes(codec: VideoCodec): number[] {
  return codec === 'h264' ? [H264.SPS, H264.PPS] : [H265.VPS, H265.SPS, H265.PPS];
}

/** Access unit delimiters and filler data: dropped, as their meaning is already in the RTP header or nowhere. */
function isDropped(codec: VideoCodec, type: number): boolean {
  // An AUD only marks where a picture starts, which the RTP timestamp and marker bit already say.
  return codec === 'h264' ? type === H264.AUD || type === H264_FILLER : type === H265.AUD || type === H265_FILLER;
}

/** A picture where decoding can start: an IDR (H.264) or any IRAP picture, BLA, IDR or CRA (H.265). */
export function isKeyframeNal(codec: VideoCodec, nal: Uint8Array): boolean {
  return nal.length > 0 && isKeyframeType(codec, nalType(codec, nal));
}

/**
 * The NAL units of an MP4 sample, where each one follows its 4-byte big-endian length (as the agent's
 * mdat holds them, ISO/IEC 14496-15 with lengthSizeMinusOne = 3), as views into the sample.
 */
export function splitLengthPrefixed(sample: Uint8Array): Uint8Array[] {
  const nals: Uint8Array[] = [];
  for (let at = 0; at < sample.length; ) {
    if (at + 4 > sample.length) throw new Error(`sample ends inside a NAL unit length at byte ${at}`);
    const size = readU32BE(sample, at);
    at += 4;
    if (at + size > sample.length) throw new Error(`NAL unit of ${size} bytes at byte ${at - 4} runs past the sample's end`);
    if (size > 0) nals.push(sample.subarray(at, at + size));
    at += size;
  }
  return nals;
}

export class RtpVideoPacketizer extends RtpPacketizer {
  readonly codec: VideoCodec;
  readonly maxPacketSize: number;
  private parameterSets: Uint8Array[] = [];

  constructor(codec: VideoCodec, options: RtpVideoOptions) {
    const maxPacketSize = options.maxPacketSize ?? DEFAULT_MAX_PACKET_SIZE;
    if (!Number.isInteger(maxPacketSize) || maxPacketSize < MIN_PACKET_SIZE || maxPacketSize > 0xffff) {
      throw new RangeError(`RTP packet size ${maxPacketSize} is not ${MIN_PACKET_SIZE}..65535`);
    }
    super(new RtpSender(options));
    this.codec = codec;
    this.maxPacketSize = maxPacketSize;
  }

  /**
   * The SPS and PPS (and, for H.265, the VPS) to send in front of a keyframe that does not carry them:
   * a client that joins mid-stream, or never read the SDP's sprop parameters, can then start at the next
   * keyframe. Sets found in band later replace these, type by type. Kept as copies: the caller's bytes may
   * be views into a buffer it reuses.
   */
  setParameterSets(sets: Uint8Array[]): void {
    const wanted = parameterSetTypes(this.codec);
    for (const set of sets) {
      if (!wanted.includes(this.typeOf(set))) throw new Error(`NAL unit of type ${this.typeOf(set)} is not ${this.codec === 'h264' ? 'an SPS or PPS' : 'a VPS, SPS or PPS'}`);
    }
    this.parameterSets = sortParameterSets(this.codec, sets.map((set) => set.slice()));
  }

  /**
   * One access unit, as its NAL units without start codes or length prefixes, into RTP packets that all
   * carry `timestamp90k` (the picture's presentation time on the 90 kHz clock, RFC 6184 §5.1 / RFC 7798
   * §4.1, taken modulo 2^32); the last one has the marker bit. An access unit with nothing left to send
   * (only delimiters or filler) gives no packets.
   */
  packetize(nals: Uint8Array[], timestamp90k: number): Uint8Array[] {
    const units = this.withParameterSets(this.kept(nals));
    const payloads: Uint8Array[][] = [];
    const maxPayload = this.maxPacketSize - RTP_HEADER_SIZE;
    for (let i = 0; i < units.length; ) {
      const nal = units[i];
      if (nal.length > maxPayload) {
        payloads.push(...this.fragments(nal, maxPayload));
        i++;
        continue;
      }
      const end = aggregationEnd(this.codec, units, i, maxPayload);
      payloads.push(end - i >= 2 ? this.aggregate(units.slice(i, end)) : [nal]);
      i = end;
    }
    return payloads.map((payload, n) => this.sender.packet(n === payloads.length - 1, timestamp90k, payload));
  }

  private typeOf(nal: Uint8Array): number {
    return nalType(this.codec, nal);
  }

  /** The NAL units worth sending; an H.265 unit too short for its own header is a caller's bug. */
  private kept(nals: Uint8Array[]): Uint8Array[] {
    const kept: Uint8Array[] = [];
    for (const nal of nals) {
      if (nal.length === 0) continue;
      if (nal.length < headerSize(this.codec)) throw new Error(`NAL unit of ${nal.length} byte is shorter than its ${headerSize(this.codec)}-byte header`);
      if (!isDropped(this.codec, this.typeOf(nal))) kept.push(nal);
    }
    return kept;
  }

  /** The access unit, with the stored parameter sets in front when it is a keyframe without all of them in band. */
  private withParameterSets(nals: Uint8Array[]): Uint8Array[] {
    const wanted = parameterSetTypes(this.codec);
    const inBand = nals.filter((nal) => wanted.includes(this.typeOf(nal)));
    if (inBand.length > 0) this.learn(inBand);
    if (!nals.some((nal) => isKeyframeNal(this.codec, nal))) return nals;
    const present = new Set(inBand.map((nal) => this.typeOf(nal)));
    if (wanted.every((type) => present.has(type))) return nals;
    // All of them, not only the missing ones: a PPS must follow the SPS it refers to, and an in-band set
    // after ours still wins, as a decoder keeps the last one it read.
    return [...this.parameterSets, ...nals];
  }

  /** In-band parameter sets replace the stored ones of their type: the stream may have changed its size. */
  private learn(inBand: Uint8Array[]): void {
    const types = new Set(inBand.map((nal) => this.typeOf(nal)));
    const kept = this.parameterSets.filter((nal) => !types.has(this.typeOf(nal)));
    this.parameterSets = sortParameterSets(this.codec, [...kept, ...inBand.map((nal) => nal.slice())]);
  }

  /** STAP-A (RFC 6184 §5.7.1) or AP (RFC 7798 §4.4.2): one header, then each NAL unit after its 16-bit size. */
  private aggregate(nals: Uint8Array[]): Uint8Array[] {
    const parts: Uint8Array[] = [this.codec === 'h264' ? stapAHeader(nals) : apHeader(nals)];
    for (const nal of nals) parts.push(Uint8Array.of(nal.length >> 8, nal.length & 0xff), nal);
    return parts;
  }

  /** FU-A (RFC 6184 §5.8) or FU (RFC 7798 §4.4.3) payloads; the unit's own header travels in the FU headers. */
  private fragments(nal: Uint8Array, maxPayload: number): Uint8Array[][] {
    const header = headerSize(this.codec);
    const room = maxPayload - fragmentHeaderSize(this.codec);
    const type = this.typeOf(nal);
    const out: Uint8Array[][] = [];
    // The NAL unit is longer than maxPayload, so its body is longer than room: at least two fragments,
    // and no FU ever has both S and E set, which both RFCs forbid.
    for (let at = header; at < nal.length; at += room) {
      const start = at === header;
      const end = at + room >= nal.length;
      const fuHeader = (start ? 0x80 : 0) | (end ? 0x40 : 0) | type;
      const lead = this.codec === 'h264' ? Uint8Array.of((nal[0] & 0xe0) | FU_A, fuHeader) : Uint8Array.of((nal[0] & 0x81) | (FU << 1), nal[1], fuHeader);
      out.push([lead, nal.subarray(at, Math.min(at + room, nal.length))]);
    }
    return out;
  }
}

/** Where a run of NAL units from `from` that fit into one aggregation packet ends (exclusive). */
function aggregationEnd(codec: VideoCodec, nals: Uint8Array[], from: number, maxPayload: number): number {
  let size = headerSize(codec);
  let end = from;
  while (end < nals.length && size + AGGREGATION_UNIT_SIZE + nals[end].length <= maxPayload) {
    size += AGGREGATION_UNIT_SIZE + nals[end].length;
    end++;
  }
  return Math.max(end, from + 1);
}

/** F is set when any aggregated unit's F is; NRI is the highest of theirs (RFC 6184 §5.7.1). */
function stapAHeader(nals: Uint8Array[]): Uint8Array {
  let f = 0;
  let nri = 0;
  for (const nal of nals) {
    f |= nal[0] & 0x80;
    nri = Math.max(nri, nal[0] & 0x60);
  }
  return Uint8Array.of(f | nri | STAP_A);
}

/** F is set when any aggregated unit's F is; LayerId and TID are the lowest of theirs (RFC 7798 §4.4.2). */
function apHeader(nals: Uint8Array[]): Uint8Array {
  let f = 0;
  let layerId = 63;
  let tid = 7;
  for (const nal of nals) {
    f |= nal[0] & 0x80;
    layerId = Math.min(layerId, ((nal[0] & 1) << 5) | (nal[1] >> 3));
    tid = Math.min(tid, nal[1] & 7);
  }
  return Uint8Array.of(f | (AP << 1) | (layerId >> 5), ((layerId & 0x1f) << 3) | tid);
}

/** VPS, SPS, PPS: the order in which each refers only to one already read. */
function sortParameterSets(codec: VideoCodec, sets: Uint8Array[]): Uint8Array[] {
  const order = parameterSetTypes(codec);
  return [...sets].sort((a, b) => order.indexOf(nalType(codec, a)) - order.indexOf(nalType(codec, b)));
}
