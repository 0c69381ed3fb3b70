// Records the live stream into a local MP4 for a number of frames or seconds.
import { Mp4Recorder, RecordingSummary } from './recorder';
import { BoardSession, Fragment, InitSegment } from './session';
import type { StreamSettings } from '../protocol/messages';
import { UserError } from './errors';

export interface RecordLimit {
  frames?: number;
  seconds?: number;
}

export interface RecordResult extends RecordingSummary {
  /** from the start request to the first frame on disk, host milliseconds */
  firstFrameMs: number;
  /** set when the recording ended early: why, in one line */
  interruption?: string;
}

/** Streams with `settings` into `out` until the limit is reached or the link goes away. */
export async function recordStream(
  session: BoardSession,
  settings: StreamSettings,
  out: string,
  limit: RecordLimit,
): Promise<RecordResult> {
  const recorder = Mp4Recorder.create(out, settings.fps);
  const startedAt = performance.now();
  let firstFrameMs = NaN;
  const limitUs = limit.seconds !== undefined ? BigInt(Math.round(limit.seconds * 1e6)) : undefined;
  let finish!: (reason?: string) => void;
  const finished = new Promise<string | undefined>((resolve) => (finish = resolve));

  const onInit = (init: InitSegment) => {
    try {
      recorder.writeInit(init);
    } catch (e) {
      finish((e as Error).message);
    }
  };
  const onLoss = () => recorder.markLoss();
  const onFragment = (f: Fragment) => {
    try {
      // The limit in seconds is board time: frames whose pts fall inside it, no more.
      if (limitUs !== undefined && recorder.frameCount > 0 && recorder.ptsSinceStart(f.ptsUs) >= limitUs) return finish();
      if (recorder.writeFragment(f) && recorder.frameCount === 1) firstFrameMs = performance.now() - startedAt;
      if (limit.frames !== undefined && recorder.frameCount >= limit.frames) finish();
    } catch (e) {
      finish((e as Error).message);
    }
  };
  const onClose = (reason: string | undefined) => finish(reason ?? 'disconnected');
  session.on('init', onInit).on('loss', onLoss).on('fragment', onFragment).on('close', onClose);

  let interruption: string | undefined;
  try {
    await session.startStream(settings);
    interruption = await finished;
  } catch (e) {
    interruption = (e as Error).message;
  } finally {
    session.off('init', onInit).off('loss', onLoss).off('fragment', onFragment).off('close', onClose);
    if (!session.isClosed) await session.stopStream().catch(() => undefined);
  }
  const summary = recorder.close();
  if (interruption && summary.frames === 0) throw new UserError(interruption);
  return { ...summary, firstFrameMs, interruption };
}
