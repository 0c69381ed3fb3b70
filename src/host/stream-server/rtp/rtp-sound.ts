// The board's G.711 chunks into RTP packets (RFC 3551 §4.5.14): one chunk, one packet, its payload the
// chunk's bytes as they came (one byte per sample, nothing to reorder or pad). Pure: no sockets.
import { RtpPacketizer, RtpSender, type RtpSenderOptions } from './rtp-header';

export type SoundCodec = 'g711u' | 'g711a';
export type SoundRate = 8000 | 16000;

/** The payload type for 16000 Hz, which has no static one; 96 is left for the video. */
const DYNAMIC_SOUND_PAYLOAD_TYPE = 97;

/** The encoding name of a=rtpmap (RFC 3551 §6 Table 4): PCMU is µ-law, PCMA A-law. */
export function soundEncodingName(codec: SoundCodec): 'PCMU' | 'PCMA' {
  return codec === 'g711u' ? 'PCMU' : 'PCMA';
}

/**
 * The payload type to send and describe: the static 0 (PCMU) or 8 (PCMA), which RFC 3551 §6 assigns
 * at 8000 Hz only; at 16000 Hz a dynamic one (§3), whose rate the SDP's a=rtpmap gives (PCMU/16000).
 */
export function soundPayloadType(codec: SoundCodec, rate: SoundRate): number {
  if (rate === 16000) return DYNAMIC_SOUND_PAYLOAD_TYPE;
  return codec === 'g711u' ? 0 : 8;
}

export interface RtpSoundOptions extends Omit<RtpSenderOptions, 'payloadType'> {
  rate: SoundRate;
  /** default soundPayloadType(codec, rate) */
  payloadType?: number;
}

export class RtpSoundPacketizer extends RtpPacketizer {
  readonly codec: SoundCodec;
  readonly rate: SoundRate;

  constructor(codec: SoundCodec, options: RtpSoundOptions) {
    if (options.rate !== 8000 && options.rate !== 16000) throw new RangeError(`G.711 at ${options.rate} Hz: only 8000 and 16000 are sent`);
    super(new RtpSender({ ...options, payloadType: options.payloadType ?? soundPayloadType(codec, options.rate) }));
    this.codec = codec;
    this.rate = options.rate;
  }

  /**
   * One chunk (its G.711 bytes) into one RTP packet. `timestamp` is its first sample's time, counted in
   * samples (the RTP clock of G.711 is its sample rate, RFC 3551 §4.5.14), taken modulo 2^32. The marker
   * stays 0: a sender that never suppresses silence has no talkspurt to mark (RFC 3551 §4.1).
   */
  packetize(chunk: Uint8Array, timestamp: number): Uint8Array {
    return this.sender.packet(false, timestamp, [chunk]);
  }
}
