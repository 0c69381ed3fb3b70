// Turns the board's stream into the preview panel's messages (src/shared/panel.ts).
import type { PreviewFragment, PreviewInit } from '../shared/panel';
import { boardToHostMs, ClockOffset } from './clock-sync';
import { readDecodeTime } from './fmp4';
import type { Fragment, InitSegment } from './session';

export function toInitMessage(init: InitSegment): PreviewInit {
  return { type: 'init', codecString: init.codecString, width: init.width, height: init.height, data: init.data };
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
