// The fixed RTP header (RFC 3550 §5.1) and the counters every RTP sender keeps: what the video and the
// sound packetizers share. Pure: the packets go out through whatever socket the server has.
import { randomInt } from 'node:crypto';

/** V=2, P=0, X=0, CC=0 (no CSRC list: one source), then M|PT, sequence, timestamp, SSRC. */
export const RTP_HEADER_SIZE = 12;

/** RTSP's interleaved framing ($, channel, 16-bit length; RFC 2326 §10.12) carries at most this much. */
export const MAX_RTP_PACKET_SIZE = 0xffff;

export interface RtpSenderOptions {
  /** 0..127 */
  payloadType: number;
  /** 0..2^32-1: this stream's synchronization source */
  ssrc: number;
  /** the first packet's sequence number (default random, as RFC 3550 §5.1 recommends) */
  firstSequence?: number;
}

/** One sender's header fields: its payload type and SSRC, and the sequence number that goes up by one per packet. */
export class RtpSender {
  readonly payloadType: number;
  readonly ssrc: number;
  private sequence: number;

  constructor(options: RtpSenderOptions) {
    const { payloadType, ssrc, firstSequence } = options;
    if (!Number.isInteger(payloadType) || payloadType < 0 || payloadType > 127) throw new RangeError(`RTP payload type ${payloadType} is not 0..127`);
    if (!Number.isInteger(ssrc) || ssrc < 0 || ssrc > 0xffffffff) throw new RangeError(`SSRC ${ssrc} is not a 32-bit number`);
    if (firstSequence !== undefined && !Number.isInteger(firstSequence)) throw new RangeError(`first sequence number ${firstSequence} is not an integer`);
    this.payloadType = payloadType;
    this.ssrc = ssrc;
    // A random start makes a known-plaintext attack on an encrypted stream harder (RFC 3550 §5.1); here it
    // mostly lets a client that reconnects tell the new stream's packets from the old one's.
    this.sequence = (firstSequence ?? randomInt(0x10000)) & 0xffff;
  }

  /** The sequence number the next packet will carry: RTSP's RTP-Info `seq=` (RFC 2326 §12.33). */
  get nextSequence(): number {
    return this.sequence;
  }

  /**
   * One RTP packet: the header, then the parts of its payload copied after it in order (so a fragment
   * can be sent without first joining its headers to the NAL unit's bytes).
   * `timestamp` is taken modulo 2^32, as the 32-bit field wraps (RFC 3550 §5.1).
   */
  packet(marker: boolean, timestamp: number, payload: Uint8Array[]): Uint8Array {
    const size = RTP_HEADER_SIZE + payload.reduce((n, p) => n + p.length, 0);
    if (size > MAX_RTP_PACKET_SIZE) throw new RangeError(`an RTP packet of ${size} bytes is over ${MAX_RTP_PACKET_SIZE}`);
    const out = new Uint8Array(size);
    const view = new DataView(out.buffer);
    out[0] = 0x80;
    out[1] = (marker ? 0x80 : 0) | this.payloadType;
    view.setUint16(2, this.sequence);
    view.setUint32(4, timestamp >>> 0);
    view.setUint32(8, this.ssrc);
    let at = RTP_HEADER_SIZE;
    for (const p of payload) {
      out.set(p, at);
      at += p.length;
    }
    this.sequence = (this.sequence + 1) & 0xffff;
    return out;
  }
}

/** What a packetizer shows RTSP of its sender: payload type and SSRC for the SDP, the next sequence number for RTP-Info. */
export abstract class RtpPacketizer {
  constructor(protected readonly sender: RtpSender) {}

  get payloadType(): number {
    return this.sender.payloadType;
  }

  get ssrc(): number {
    return this.sender.ssrc;
  }

  get nextSequence(): number {
    return this.sender.nextSequence;
  }
}
