// G.711 (ITU-T G.711) decoding to linear PCM, as the webview plays the board's sound: the same
// expansion as the agent's audio_g711{a,u}_decode, held to ffmpeg's by test/vectors/g711.vec.
import type { SoundCodec } from '../shared/panel';

/** A-law: sign, 3-bit segment, 4-bit step; even bits inverted. */
function alawToLinear(code: number): number {
  const c = code ^ 0x55;
  const seg = (c >> 4) & 7;
  let t = ((c & 0x0f) << 4) + 8;
  if (seg) t = (t + 256) << (seg - 1);
  return c & 0x80 ? t : -t;
}

/** mu-law: every bit inverted, a bias of 132 taken off after the expansion. */
function ulawToLinear(code: number): number {
  const c = ~code & 0xff;
  const t = ((((c & 0x0f) << 3) + 132) << ((c >> 4) & 7)) - 132;
  return c & 0x80 ? -t : t;
}

/** Each of the 256 codes as a 16-bit sample. */
export function g711Table(codec: SoundCodec): Int16Array {
  const expand = codec === 'g711a' ? alawToLinear : ulawToLinear;
  return Int16Array.from({ length: 256 }, (_, code) => expand(code));
}

/** The samples as floats in [-1, 1), for WebAudio. */
export function decodeG711(codes: Uint8Array, table: Int16Array): Float32Array {
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = table[codes[i]] / 32768;
  return out;
}
