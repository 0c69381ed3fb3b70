// Turns the board's stream into the preview panel's messages (src/shared/panel.ts).
import { AudioCodec } from '../../protocol/messages';
import type { PreviewFragment, PreviewInit, PreviewSound } from '../../shared/panel';
import { boardToHostMs, ClockOffset } from '../session/clock-sync';
import { fragmentPayload, readDecodeTime, withoutSoundTrack } from '../mp4/fragment-edits';
import type { AudioChunk, Fragment, InitSegment } from '../session/board-session';

/** The picture's init segment for the player, and what its sound is; the player decodes that itself. */
export function toInitMessage(init: InitSegment): PreviewInit {
  const sound = init.audio && { codec: init.audio.codec === AudioCodec.G711A ? ('g711a' as const) : ('g711u' as const), rate: init.audio.rate };
  return { type: 'init', codecString: init.codecString, width: init.width, height: init.height, data: withoutSoundTrack(init.data), sound };
}

/** A chunk of sound for the player: its samples and its time on the picture's timeline. */
export function toSoundMessage(c: AudioChunk, init: InitSegment, clock: ClockOffset): PreviewSound {
  return {
    type: 'sound',
    data: fragmentPayload(c.data),
    mediaTimeS: Number(readDecodeTime(c.data)) / (init.audio?.rate ?? 1),
    captureMs: boardToHostMs(c.ptsUs, clock),
  };
}

export function toFragmentMessage(f: Fragment, clock: ClockOffset): PreviewFragment {
  return {
    type: 'fragment',
    data: f.data,
    sequence: f.sequence,
    keyframe: f.keyframe,
    mediaTimeS: Number(readDecodeTime(f.data)) / f.timescale,
    captureMs: boardToHostMs(f.ptsUs, clock),
    boardDropped: f.dropped,
  };
}
