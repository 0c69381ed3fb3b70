// Every track's samples of an MP4, from its boxes alone: those its moov's tables list (a progressive file)
// and those its fragments add (a recording), with the moov itself for what describes each track.
import * as fs from 'node:fs';
import { UserError } from '../../shared/user-error';
import { Box, child, childBoxes, descend } from '../../shared/mp4-boxes';
import { openForReading } from './mp4-files';
import { FragmentedTrack, readFragment, readTrackDefaults, TrackDefaults } from './fragment-samples';
import { readBox, topLevelBoxes, TopLevelBox } from './mp4-layout';
import { readSampleTables } from './sample-tables';
import { Sample } from './samples';

export interface TrackSamples {
  id: number;
  /** ticks per second of its sample times (mdhd) */
  timescale: number;
  /** where the track's trak box is in the moov */
  trak: Box;
  samples: Sample[];
}

export interface Mp4Samples {
  moov: Buffer;
  /** in the moov's order */
  tracks: TrackSamples[];
}

export function readMp4Samples(file: string): Mp4Samples {
  const fd = openForReading(file);
  try {
    let moovBox: TopLevelBox | undefined;
    const moofs: TopLevelBox[] = [];
    let bytes = 0;
    for (const b of topLevelBoxes(file, fd)) {
      if (b.type === 'moov') moovBox ??= b;
      else if (b.type === 'moof') moofs.push(b);
      bytes = b.start + b.size;
    }
    if (!moovBox) throw new UserError(`${file} has no moov box: no player can read it`);
    const moov = readBox(fd, moovBox);
    const tracks = readTracks(file, moov);
    const fragmented = new Map<number, FragmentedTrack>(tracks.map((t) => [t.id, { defaults: t.defaults, samples: t.samples }]));
    for (const moof of moofs) readFragment(file, readBox(fd, moof), moof.start, fragmented);
    for (const t of tracks) checkSamples(file, t, bytes);
    return { moov, tracks: tracks.map(({ defaults: _, ...t }) => t) };
  } finally {
    fs.closeSync(fd);
  }
}

function readTracks(file: string, moov: Buffer): (TrackSamples & { defaults: TrackDefaults })[] {
  const top: Box = { type: 'moov', start: 0, end: moov.length };
  const mvex = child(moov, top, 'mvex');
  const defaults = new Map(mvex ? childBoxes(moov, mvex.start + 8, mvex.end).filter((c) => c.type === 'trex').map((c) => readTrackDefaults(moov, c)).map((d) => [d.id, d.defaults]) : []);
  return childBoxes(moov, 8, moov.length)
    .filter((c) => c.type === 'trak')
    .map((trak) => {
      const tkhd = child(moov, trak, 'tkhd');
      const mdhd = descend(moov, trak, 'mdia/mdhd');
      const stbl = descend(moov, trak, 'mdia/minf/stbl');
      if (!tkhd || !mdhd || !stbl) throw new UserError(`${file} is damaged: a trak without its tkhd, mdhd or stbl`);
      const id = moov.readUInt32BE(tkhd.start + (moov[tkhd.start + 8] === 1 ? 28 : 20));
      const timescale = moov.readUInt32BE(mdhd.start + (moov[mdhd.start + 8] === 1 ? 28 : 20));
      if (timescale === 0) throw new UserError(`${file} is damaged: track ${id} has a timescale of 0`);
      return { id, timescale, trak, samples: readSampleTables(file, moov, stbl), defaults: defaults.get(id) ?? { description: 1, duration: 0, size: 0, flags: 0 } };
    });
}

/** A sample whose bytes are not in the file, or whose time goes back, would be a broken output: refuse it here. */
function checkSamples(file: string, t: TrackSamples, bytes: number): void {
  t.samples.forEach((s, i) => {
    if (s.offset + s.size > bytes) throw new UserError(`${file} is truncated: sample ${i + 1} of track ${t.id} lies past the end of the file`);
    if (i > 0 && s.decodeTime < t.samples[i - 1].decodeTime) throw new UserError(`${file}: the decode times of track ${t.id} go back at sample ${i + 1}`);
  });
}
