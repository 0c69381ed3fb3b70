// RTCP sender reports (RFC 3550 §6.4.1): each one ties a track's RTP time to a wall-clock time, so a
// client puts the pictures and the sound of one moment together (ffmpeg and GStreamer sync on them).

/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;

/** A sender report without reception blocks: `wallMs` (Unix ms) is the moment `rtpTime` stands for. */
export function senderReport(ssrc: number, wallMs: number, rtpTime: number, packets: number, octets: number): Uint8Array {
  const out = new Uint8Array(28);
  const view = new DataView(out.buffer);
  out[0] = 0x80; // V=2, P=0, RC=0
  out[1] = 200; // SR
  view.setUint16(2, 28 / 4 - 1); // length in 32-bit words, minus one
  view.setUint32(4, ssrc >>> 0);
  const seconds = Math.floor(wallMs / 1000);
  view.setUint32(8, (seconds + NTP_UNIX_OFFSET_S) >>> 0);
  view.setUint32(12, Math.floor(((wallMs - seconds * 1000) / 1000) * 0x1_0000_0000) >>> 0);
  view.setUint32(16, rtpTime >>> 0);
  view.setUint32(20, packets >>> 0);
  view.setUint32(24, octets >>> 0);
  return out;
}
