// The parameter sets of the board's stream, out of its init segment's avcC/hvcC: what an RTSP
// client is given in the SDP (and before an IDR that lacks them in band).
import { findBox } from '../../../shared/mp4-boxes';
import { Codec } from '../../../protocol/messages';

export interface ParameterSets {
  vps?: Uint8Array;
  sps: Uint8Array;
  pps: Uint8Array;
}

const STSD = 'moov/trak/mdia/minf/stbl/stsd';

export function parameterSets(init: Uint8Array, codec: Codec): ParameterSets {
  return codec === Codec.H264 ? fromAvcC(init) : fromHvcC(init);
}

/** avcC (ISO/IEC 14496-15 5.3.3.1): 5 bytes, then SPS count and SPSs, PPS count and PPSs, each u16-long. */
function fromAvcC(init: Uint8Array): ParameterSets {
  const box = findBox(init, `${STSD}/avc1/avcC`);
  if (!box) throw new Error('the init segment has no avcC');
  const b = init.subarray(box.start + 8, box.end);
  let at = 5;
  const take = () => {
    const len = (b[at] << 8) | b[at + 1];
    const nal = b.subarray(at + 2, at + 2 + len);
    at += 2 + len;
    return nal;
  };
  const spsCount = b[at++] & 0x1f;
  const sps = take();
  for (let i = 1; i < spsCount; i++) take();
  at++; // PPS count
  return { sps, pps: take() };
}

/** hvcC (ISO/IEC 14496-15 8.3.3.1): 22 bytes, then arrays of NAL units by type. */
function fromHvcC(init: Uint8Array): ParameterSets {
  const box = findBox(init, `${STSD}/hev1/hvcC`) ?? findBox(init, `${STSD}/hvc1/hvcC`);
  if (!box) throw new Error('the init segment has no hvcC');
  const b = init.subarray(box.start + 8, box.end);
  const found: Record<number, Uint8Array> = {};
  let at = 23;
  for (let arrays = b[22], i = 0; i < arrays; i++) {
    const type = b[at] & 0x3f;
    const count = (b[at + 1] << 8) | b[at + 2];
    at += 3;
    for (let n = 0; n < count; n++) {
      const len = (b[at] << 8) | b[at + 1];
      found[type] ??= b.subarray(at + 2, at + 2 + len);
      at += 2 + len;
    }
  }
  if (!found[32] || !found[33] || !found[34]) throw new Error('the hvcC lacks a VPS, SPS or PPS');
  return { vps: found[32], sps: found[33], pps: found[34] };
}
