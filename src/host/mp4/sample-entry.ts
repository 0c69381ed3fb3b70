// The sample entries of a progressive copy: as the recording has them, but for H.265's name. The agent writes
// hev1 (parameter sets in the stream too, as fragments for MediaSource may begin anywhere); Apple's players
// take H.265 only as hvc1, whose hvcC must hold every parameter set. When the agent's does, the entry is
// renamed and nothing else changes: the samples keep their in-band copies, as ffmpeg's -tag:v hvc1 leaves them.
import { Box, child, childBoxes } from '../../shared/mp4-boxes';

const VPS = 32;
const SPS = 33;
const PPS = 34;

/** A copy of the stsd box with every hev1 entry whose hvcC is complete named hvc1. */
export function progressiveStsd(moov: Buffer, stsd: Box): Buffer {
  const copy = Buffer.from(moov.subarray(stsd.start, stsd.end));
  const local = { type: 'stsd', start: 0, end: copy.length };
  for (const entry of childBoxes(copy, 16, local.end)) {
    // a visual sample entry's boxes begin 86 bytes in (ISO/IEC 14496-12 12.1.3)
    const hvcC = entry.type === 'hev1' ? child(copy, entry, 'hvcC', 86) : undefined;
    if (hvcC && holdsEveryParameterSet(copy, hvcC)) copy.write('hvc1', entry.start + 4, 'latin1');
  }
  return copy;
}

/** ISO/IEC 14496-15 8.3.3: after 22 bytes of configuration, arrays of NAL units, each marked complete or not. */
function holdsEveryParameterSet(b: Buffer, hvcC: Box): boolean {
  const complete = new Set<number>();
  let at = hvcC.start + 8 + 22;
  const arrays = b[at++];
  for (let i = 0; i < arrays && at + 3 <= hvcC.end; i++) {
    const head = b[at];
    const count = b.readUInt16BE(at + 1);
    at += 3;
    for (let n = 0; n < count && at + 2 <= hvcC.end; n++) at += 2 + b.readUInt16BE(at);
    if (head & 0x80 && count > 0) complete.add(head & 0x3f);
  }
  return [VPS, SPS, PPS].every((t) => complete.has(t));
}
