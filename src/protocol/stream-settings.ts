// The stream settings' one home: their defaults and their limits. The manifest's k230live.*
// settings, the extension, the CLI and the host all take them from here; the agent's camera.h
// holds the same limits (CAMERA_*), and test/unit/stream-settings.test.ts holds all three together.
// A board narrows the size and the frame rate to what it offers (HELLO_REPLY's maxima).
import { AudioCodec, Codec, Profile, Source, type StreamSettings } from './messages';

export interface Limit {
  min: number;
  max: number;
  /** the value must be a multiple of this */
  multipleOf?: number;
}

export const STREAM_LIMITS = {
  width: { min: 64, max: 4096, multipleOf: 8 },
  height: { min: 64, max: 4096, multipleOf: 2 },
  fps: { min: 1, max: 60 },
  bitrateKbps: { min: 100, max: 100_000 },
  gop: { min: 1, max: 1000 },
} as const satisfies Record<string, Limit>;

export type LimitedSetting = keyof typeof STREAM_LIMITS;

/** The codecs by the names settings and options give them. */
export const CODECS: Record<string, Codec | undefined> = { h264: Codec.H264, h265: Codec.H265 };

/** H.264 streams at High; H.265 at Main (it has no High profile). */
export function defaultProfile(codec: Codec): Profile {
  return codec === Codec.H265 ? Profile.Main : Profile.High;
}

/** The sound by the names settings and options give it (`--audio`, k230live.audio). */
export const AUDIO_CODECS: Record<string, AudioCodec | undefined> = { g711u: AudioCodec.G711U, g711a: AudioCodec.G711A, off: AudioCodec.Off };
/** G.711's rates the agents take (`--audio-rate`, k230live.audioRate). */
export const AUDIO_RATES = [8000, 16000] as const;

/** Sound is on by default, as the K230's own Mp4Container records it: G.711 mu-law at 8000 Hz. */
export const DEFAULT_STREAM_SETTINGS: StreamSettings = {
  width: 1280,
  height: 720,
  fps: 30,
  codec: Codec.H264,
  profile: defaultProfile(Codec.H264),
  bitrateKbps: 4000,
  gop: 30,
  audio: AudioCodec.G711U,
  audioRate: 8000,
  // a script's display while it shows one, else the camera
  source: Source.Follow,
};

/** The settings' sound as a person names it: "G.711 mu-law, 8000 Hz" or "off". */
export function soundName(settings: Pick<StreamSettings, 'audio' | 'audioRate'>): string {
  if (settings.audio === AudioCodec.Off) return 'off';
  return `G.711 ${settings.audio === AudioCodec.G711A ? 'A-law' : 'µ-law'}, ${settings.audioRate} Hz`;
}

/** Why a value does not fit its limit (one line for a person), or undefined when it does. */
export function outsideLimit(name: LimitedSetting, value: number): string | undefined {
  const l: Limit = STREAM_LIMITS[name];
  const multiple = l.multipleOf ? `, a multiple of ${l.multipleOf}` : '';
  if (!Number.isInteger(value) || value < l.min || value > l.max || (l.multipleOf && value % l.multipleOf)) {
    return `must be an integer from ${l.min} to ${l.max}${multiple}`;
  }
  return undefined;
}
