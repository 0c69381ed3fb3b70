// Records the live stream into a local MP4 for a number of frames or seconds, or for as long as its
// source shows (a script's display: until the script ends).
import { Mp4Recorder, RecordingSummary } from './mp4-recorder';
import { AudioChunk, BoardSession, Fragment, InitSegment, SourcesNow } from '../session/board-session';
import { fitSound, missingSound } from '../session/sound-fit';
import type { StreamSettings } from '../../protocol/messages';
import { UserError } from '../../shared/user-error';

export interface RecordLimit {
  frames?: number;
  seconds?: number;
  /** ends the recording when it settles (the script whose display it records has ended) */
  until?: Promise<unknown>;
}

export interface RecordResult extends RecordingSummary {
  /** from the start request to the first frame on disk, host milliseconds */
  firstFrameMs: number;
  /** set when the recording ended early: why, in one line */
  interruption?: string;
  /** set when the sound asked for could not be had: why, in one line (the video went on) */
  soundNotice?: string;
}

/** Once the pictures are done, how long the sound up to the last picture's end may take to come. */
const SOUND_TAIL_MS = 250;

/** Streams with `settings` into `out` until the limit is reached or the link goes away. */
export async function recordStream(
  session: BoardSession,
  settings: StreamSettings,
  out: string,
  limit: RecordLimit,
): Promise<RecordResult> {
  const fitted = session.info ? fitSound(settings, session.info) : { settings };
  settings = fitted.settings;
  let soundNotice = fitted.notice;
  const recorder = Mp4Recorder.create(out, settings.fps);
  const startedAt = performance.now();
  let firstFrameMs = NaN;
  const limitUs = limit.seconds !== undefined ? BigInt(Math.round(limit.seconds * 1e6)) : undefined;
  let finish!: (reason?: string) => void;
  const finished = new Promise<string | undefined>((resolve) => (finish = resolve));

  // Once the pictures are done, the sound goes on to the last picture's end, then the recording ends.
  let picturesEndUs: bigint | undefined;
  let tailTimer: NodeJS.Timeout | undefined;
  const frameUs = BigInt(Math.round(1e6 / settings.fps));
  const picturesDone = (lastPtsUs: bigint | undefined) => {
    if (picturesEndUs !== undefined) return;
    if (lastPtsUs === undefined || !recorder.hasSound) return finish();
    picturesEndUs = lastPtsUs + frameUs;
    tailTimer = setTimeout(() => finish(), SOUND_TAIL_MS);
  };

  let source: InitSegment['source'] | undefined;
  const onInit = (init: InitSegment) => {
    // One file, one source: the stream turning to another (a script's display came or went) ends it.
    if (source !== undefined && init.source !== source) return picturesDone(recorder.lastPts);
    source = init.source;
    try {
      recorder.writeInit(init);
      if (session.info) soundNotice ??= missingSound(settings, init, session.info);
    } catch (e) {
      finish((e as Error).message);
    }
  };
  const onLoss = () => recorder.markLoss();
  const onFragment = (f: Fragment) => {
    if (picturesEndUs !== undefined) return;
    try {
      // The limit in seconds is board time: frames whose pts fall inside it, no more.
      if (limitUs !== undefined && recorder.frameCount > 0 && recorder.ptsSinceStart(f.ptsUs) >= limitUs) {
        return picturesDone(recorder.lastPts);
      }
      if (recorder.writeFragment(f) && recorder.frameCount === 1) firstFrameMs = performance.now() - startedAt;
      if (limit.frames !== undefined && recorder.frameCount >= limit.frames) picturesDone(recorder.lastPts);
    } catch (e) {
      finish((e as Error).message);
    }
  };
  const onAudio = (c: AudioChunk) => {
    if (picturesEndUs !== undefined && c.ptsUs >= picturesEndUs) return finish();
    try {
      recorder.writeAudio(c);
    } catch (e) {
      finish((e as Error).message);
    }
  };
  const onClose = (reason: string | undefined) => finish(reason ?? 'disconnected');
  const onSources = (now: SourcesNow) => {
    if (source !== undefined && now.live !== source) picturesDone(recorder.lastPts); // its source is gone
  };
  void limit.until?.then(() => picturesDone(recorder.lastPts));
  session.on('init', onInit).on('loss', onLoss).on('fragment', onFragment).on('audio', onAudio).on('close', onClose).on('sources', onSources);

  let interruption: string | undefined;
  try {
    await session.startStream(settings);
    interruption = await finished;
  } catch (e) {
    interruption = (e as Error).message;
  } finally {
    clearTimeout(tailTimer);
    session.off('init', onInit).off('loss', onLoss).off('fragment', onFragment).off('audio', onAudio).off('close', onClose).off('sources', onSources);
    if (!session.isClosed) await session.stopStream().catch(() => undefined);
  }
  const summary = recorder.close();
  if (interruption && summary.frames === 0) throw new UserError(interruption);
  return { ...summary, firstFrameMs, interruption, soundNotice };
}
