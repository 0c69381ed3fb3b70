// Turns the board's stream into the preview panel's messages (src/protocol/panel.ts).
import type { FragmentMessage, InitMessage } from '../protocol/panel';
import { boardToHostMs, ClockOffset } from './clock-sync';
import { readDecodeTime } from './fmp4';
import type { Fragment, InitSegment } from './session';

const TIMESCALE = 90_000;

export function toInitMessage(init: InitSegment): InitMessage {
  return { type: 'init', codecString: init.codecString, width: init.width, height: init.height, data: init.data };
}

export function toFragmentMessage(f: Fragment, clock: ClockOffset): FragmentMessage {
  return {
    type: 'fragment',
    data: f.data,
    sequence: f.sequence,
    keyframe: f.keyframe,
    mediaTimeS: Number(readDecodeTime(f.data)) / TIMESCALE,
    captureMs: boardToHostMs(f.ptsUs, clock),
    boardDropped: f.dropped,
  };
}
