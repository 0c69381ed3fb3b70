// What an MP4 holds, read from its boxes alone (no decoding): tracks, codecs, frames, keyframes, layout, and
// for sound its rate, channels and any gaps.
import { FilePathSource, Input, InputTrack, MP4, QTFF } from 'mediabunny';
import { UserError } from '../../shared/user-error';
import { movieTimescale, readTrackEdits } from '../mp4/edit-list';
import { firstLine } from '../mp4/mp4-files';
import { readMp4Layout } from '../mp4/mp4-layout';
import { Mp4Samples, readMp4Samples, TrackSamples } from '../mp4/mp4-samples';
import { SoundGap, summarizeSound } from './sound-gaps';

export interface TrackSummary {
  id: number;
  type: 'video' | 'audio' | 'subtitle';
  /** RFC 6381, with the sample entry's own four-character code (avc1, hvc1, hev1, ...); ulaw/alaw for G.711 */
  codec: string | null;
  /** video only: the sample entry's size */
  width?: number;
  height?: number;
  /** audio only */
  sampleRate?: number;
  channels?: number;
  /** audio only: sound samples (per channel) in all its frames, which for G.711 are the chunks the board sent */
  samples?: number;
  /** audio only: where sound is missing between two frames */
  gaps?: SoundGap[];
  /** when its first sample is shown, on the file's timeline */
  startS: number;
  durationS: number;
  /** samples in the file: pictures, or chunks of sound */
  frames: number;
  keyframes: number;
}

export interface Mp4Summary {
  path: string;
  bytes: number;
  fragmented: boolean;
  moovBeforeMdat: boolean;
  tracks: TrackSummary[];
}

export async function inspectMp4(file: string): Promise<Mp4Summary> {
  const layout = readMp4Layout(file);
  // Counts and times from our own reading of the sample tables and fragments: mediabunny's reader hands
  // a progressive file's sound over a chunk of the mdat at a time, not per sample.
  const boxes = readMp4Samples(file);
  const input = new Input({ source: new FilePathSource(file), formats: [MP4, QTFF] });
  try {
    const tracks: TrackSummary[] = [];
    for (const track of await readTracks(file, input)) tracks.push(await summarizeTrack(file, track, boxes));
    return { path: file, bytes: layout.bytes, fragmented: layout.fragmented, moovBeforeMdat: layout.moovBeforeMdat, tracks };
  } finally {
    input.dispose();
  }
}

async function readTracks(file: string, input: Input): Promise<InputTrack[]> {
  try {
    return await input.getTracks();
  } catch (e) {
    throw new UserError(`${file} could not be read as an MP4: ${firstLine(e)}`);
  }
}

async function summarizeTrack(file: string, track: InputTrack, boxes: Mp4Samples): Promise<TrackSummary> {
  const samples = boxes.tracks.find((t) => t.id === track.id);
  if (!samples) throw new UserError(`${file}: track ${track.id} has no trak box of its own`);
  const startS = samples.samples.length > 0 ? trackStartS(file, boxes.moov, samples) : 0;
  const summary: TrackSummary = {
    id: track.id,
    type: track.type,
    codec: await codecOf(track),
    startS,
    durationS: mediaDurationS(samples),
    frames: samples.samples.length,
    keyframes: samples.samples.filter((s) => s.sync).length,
  };
  if (track.isVideoTrack()) {
    summary.width = await track.getCodedWidth();
    summary.height = await track.getCodedHeight();
  }
  if (track.isAudioTrack()) Object.assign(summary, summarizeSound(samples, summary.codec, await track.getSampleRate(), await track.getNumberOfChannels(), startS));
  return summary;
}

function mediaDurationS(t: TrackSamples): number {
  const first = t.samples[0];
  const last = t.samples[t.samples.length - 1];
  return first ? (last.decodeTime + last.duration - first.decodeTime) / t.timescale : 0;
}

/** When the first picture or sound is shown: the edit list's empty time, then its own time past the edit's start. */
function trackStartS(file: string, moov: Buffer, t: TrackSamples): number {
  const { leadIn, mediaStart } = readTrackEdits(moov, t.trak);
  const shownFirst = t.samples.reduce((min, s) => Math.min(min, s.decodeTime + s.compositionOffset), Infinity);
  return leadIn / movieTimescale(file, moov) + (shownFirst - mediaStart) / t.timescale;
}

/** A track's picture size or sound format, as a person reads it: 1280x720, 8000 Hz mono. */
export function trackFormat(t: TrackSummary): string {
  if (t.width) return `${t.width}x${t.height}`;
  if (t.sampleRate) return `${t.sampleRate} Hz ${t.channels === 1 ? 'mono' : t.channels === 2 ? 'stereo' : `${t.channels} channels`}`;
  return '-';
}

/** mediabunny names every H.265 track "hev1.…"; the file's sample entry may say hvc1. */
export async function codecOf(track: InputTrack): Promise<string | null> {
  const codec = await track.getCodecParameterString();
  const entry = await track.getInternalCodecId();
  if (!codec || typeof entry !== 'string' || !/^(avc[13]|hvc1|hev1)$/.test(entry)) return codec;
  return entry + codec.slice(codec.indexOf('.'));
}
