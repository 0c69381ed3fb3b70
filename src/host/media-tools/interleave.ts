// In which order a progressive MP4's mdat holds its tracks' samples: a chunk per track per second of decode
// time, second after second. A player reading front to back (or fetching over HTTP) then finds the pictures
// and the sound of any moment side by side; one track after the other would send it back and forth across
// the whole file for as long as it plays. A second keeps the tables short: two chunk offsets a second.
import { TrackSamples } from '../mp4/mp4-samples';

export interface PlannedChunk {
  /** index into the tracks given */
  track: number;
  first: number;
  count: number;
  bytes: number;
}

export function interleaveBySecond(tracks: TrackSamples[]): PlannedChunk[] {
  const keyed = tracks.flatMap((t, track) => chunksOf(t, track));
  // stable: within a second, tracks keep the moov's order (the pictures first in a recording)
  return keyed.sort((a, b) => a.second - b.second || a.chunk.track - b.chunk.track).map((k) => k.chunk);
}

/** The track's samples cut where a second begins, or where another sample entry takes over (stsc needs one per chunk). */
function chunksOf(t: TrackSamples, track: number): { second: number; chunk: PlannedChunk }[] {
  const out: { second: number; chunk: PlannedChunk }[] = [];
  t.samples.forEach((s, i) => {
    const second = Math.floor(s.decodeTime / t.timescale);
    const open = out[out.length - 1];
    if (open && open.second === second && t.samples[open.chunk.first].description === s.description) {
      open.chunk.count++;
      open.chunk.bytes += s.size;
    } else {
      out.push({ second, chunk: { track, first: i, count: 1, bytes: s.size } });
    }
  });
  return out;
}
