// Small edits of the agent's init segments and fragments; the bitstream inside mdat is never touched.
import { box, childBoxes, findBox, readU32BE } from '../../shared/mp4-boxes';

export interface FragmentTiming {
  /** offset of the tfdt box (version 1: 64-bit baseMediaDecodeTime at +12) */
  tfdtAt: number;
  /** offset of the mfhd box (sequence_number at +12) */
  mfhdAt: number;
}

export function locateFragmentTiming(fragment: Uint8Array): FragmentTiming {
  if (!findBox(fragment, 'moof')) throw new Error('fragment has no moof');
  const mfhd = findBox(fragment, 'moof/mfhd');
  const tfdt = findBox(fragment, 'moof/traf/tfdt');
  if (!mfhd || !tfdt) throw new Error('fragment has no mfhd or tfdt');
  if (fragment[tfdt.start + 8] !== 1) throw new Error('fragment has no version-1 tfdt');
  return { tfdtAt: tfdt.start, mfhdAt: mfhd.start };
}

/** The track's timescale (ticks per second), from the init segment's mdhd. */
export function readTimescale(init: Uint8Array): number {
  const mdhd = findBox(init, 'moov/trak/mdia/mdhd');
  if (!mdhd) throw new Error('init segment has no mdhd');
  const at = mdhd.start + (init[mdhd.start + 8] === 1 ? 28 : 20);
  if (at + 4 > mdhd.end) throw new Error('init segment has a short mdhd');
  return new DataView(init.buffer, init.byteOffset, init.byteLength).getUint32(at);
}

export function readDecodeTime(fragment: Uint8Array): bigint {
  const { tfdtAt } = locateFragmentTiming(fragment);
  return new DataView(fragment.buffer, fragment.byteOffset, fragment.byteLength).getBigUint64(tfdtAt + 12);
}

/**
 * Returns a copy of the fragment moved to start `offset` ticks earlier and numbered `sequence`,
 * so a recording begins at t=0 with fragment 1 wherever in the stream it started.
 */
export function rebaseFragment(fragment: Uint8Array, offset: bigint, sequence: number): Uint8Array {
  const time = readDecodeTime(fragment);
  if (time < offset) throw new Error('fragment is older than the recording start');
  return retimeFragment(fragment, time - offset, sequence);
}

/** Returns a copy of the fragment at decode time `time` (its track's ticks), numbered `sequence`. */
export function retimeFragment(fragment: Uint8Array, time: bigint, sequence: number): Uint8Array {
  const out = fragment.slice();
  const { tfdtAt, mfhdAt } = locateFragmentTiming(out);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setBigUint64(tfdtAt + 12, time);
  view.setUint32(mfhdAt + 12, sequence);
  return out;
}

/** The samples of a one-sample fragment (a chunk of sound): its mdat's payload. */
export function fragmentPayload(fragment: Uint8Array): Uint8Array {
  const mdat = findBox(fragment, 'mdat');
  if (!mdat) throw new Error('fragment has no mdat');
  return fragment.subarray(mdat.start + 8, mdat.end);
}

/**
 * The init segment with its sound track left out: what a MediaSource takes, which plays no G.711
 * (the preview decodes the sound itself). An init segment without sound comes back as it is.
 */
export function withoutSoundTrack(init: Uint8Array): Uint8Array {
  const moov = findBox(init, 'moov');
  if (!moov) throw new Error('init segment has no moov');
  const soundTracks = new Set<number>();
  const kept: Uint8Array[] = [];
  for (const c of childBoxes(init, moov.start + 8, moov.end)) {
    const part = init.subarray(c.start, c.end);
    if (c.type === 'trak' && findBox(part, 'trak/mdia/hdlr') && isSoundTrak(part)) {
      const tkhd = findBox(part, 'trak/tkhd')!;
      soundTracks.add(readU32BE(part, tkhd.start + (part[tkhd.start + 8] === 1 ? 28 : 20)));
      continue;
    }
    kept.push(part);
  }
  if (!soundTracks.size) return init;
  const mvexAt = kept.findIndex((p) => String.fromCharCode(...p.subarray(4, 8)) === 'mvex');
  if (mvexAt >= 0) {
    const mvex = kept[mvexAt];
    const trexes = childBoxes(mvex, 8, mvex.length).filter((c) => c.type !== 'trex' || !soundTracks.has(readU32BE(mvex, c.start + 12)));
    kept[mvexAt] = box('mvex', ...trexes.map((c) => mvex.subarray(c.start, c.end)));
  }
  const head = init.subarray(0, moov.start);
  const tail = init.subarray(moov.end);
  const newMoov = box('moov', ...kept);
  const out = new Uint8Array(head.length + newMoov.length + tail.length);
  out.set(head, 0);
  out.set(newMoov, head.length);
  out.set(tail, head.length + newMoov.length);
  return out;
}

function isSoundTrak(trak: Uint8Array): boolean {
  const hdlr = findBox(trak, 'trak/mdia/hdlr')!;
  return String.fromCharCode(...trak.subarray(hdlr.start + 16, hdlr.start + 20)) === 'soun';
}
