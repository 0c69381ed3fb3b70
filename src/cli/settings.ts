// Stream settings from command-line options, checked before anything is opened.
import { Codec, Profile, StreamSettings } from '../protocol/messages';
import { UserError } from '../host/errors';
import { DEFAULT_SETTINGS } from '../host/session';

export const SETTINGS_OPTIONS = {
  width: { type: 'string' },
  height: { type: 'string' },
  fps: { type: 'string' },
  'bitrate-kbps': { type: 'string' },
  codec: { type: 'string' },
  gop: { type: 'string' },
  profile: { type: 'string' },
} as const;

function integer(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isInteger(v) || v < min || v > max) throw new UserError(`--${name} must be an integer from ${min} to ${max} (got "${text}")`);
  return v;
}

export function settingsFromOptions(o: Record<string, string | boolean | undefined>): StreamSettings {
  const str = (k: string) => o[k] as string | undefined;
  const codecText = str('codec') ?? 'h264';
  const codec = { h264: Codec.H264, h265: Codec.H265 }[codecText.toLowerCase()];
  if (codec === undefined) throw new UserError(`--codec must be h264 or h265 (got "${codecText}")`);
  const profileText = str('profile') ?? (codec === Codec.H264 ? 'high' : 'main');
  const profile = { baseline: Profile.Baseline, main: Profile.Main, high: Profile.High }[profileText.toLowerCase()];
  if (profile === undefined) throw new UserError(`--profile must be baseline, main or high (got "${profileText}")`);
  return {
    width: integer('width', str('width'), DEFAULT_SETTINGS.width, 64, 4096),
    height: integer('height', str('height'), DEFAULT_SETTINGS.height, 64, 4096),
    fps: integer('fps', str('fps'), DEFAULT_SETTINGS.fps, 1, 240),
    bitrateKbps: integer('bitrate-kbps', str('bitrate-kbps'), DEFAULT_SETTINGS.bitrateKbps, 100, 100000),
    gop: integer('gop', str('gop'), DEFAULT_SETTINGS.gop, 1, 1000),
    codec,
    profile,
  };
}
