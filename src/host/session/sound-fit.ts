// The sound a stream can have on this board: the settings' codec where the board has a microphone
// for it, else video only, with the one line that says so.
import { AudioCodec, type StreamSettings } from '../../protocol/messages';
import type { BoardInfo, InitSegment } from './board-session';

export interface FittedSettings {
  settings: StreamSettings;
  /** one line for the person when the sound asked for cannot be had; the video goes on */
  notice?: string;
}

export function fitSound(settings: StreamSettings, info: BoardInfo): FittedSettings {
  if (settings.audio === AudioCodec.Off) return { settings };
  const has = settings.audio === AudioCodec.G711A ? info.g711a : info.g711u;
  if (has) return { settings };
  const why = info.g711a || info.g711u ? `its microphone does not do ${settings.audio === AudioCodec.G711A ? 'A-law' : 'µ-law'}` : 'it has no microphone';
  return { settings: { ...settings, audio: AudioCodec.Off, audioRate: 0 }, notice: `no sound from ${info.boardName}: ${why}; the video goes on` };
}

/** The line for a stream that asked for sound and whose init segment has none (the microphone did not start). */
export function missingSound(settings: StreamSettings, init: InitSegment, info: BoardInfo): string | undefined {
  if (settings.audio === AudioCodec.Off || init.audio) return undefined;
  return `no sound from ${info.boardName}: its microphone did not start; the video goes on`;
}
