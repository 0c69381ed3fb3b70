// Stream settings from command-line options, checked before anything is opened, against the
// limits of src/protocol/stream-settings.ts.
import { AudioCodec, Profile, StreamSettings } from '../protocol/messages';
import { AUDIO_CODECS, AUDIO_RATES, CODECS, DEFAULT_STREAM_SETTINGS, defaultProfile, LimitedSetting, outsideLimit } from '../protocol/stream-settings';
import { UserError } from '../shared/user-error';

export const SETTINGS_OPTIONS = {
  width: { type: 'string' },
  height: { type: 'string' },
  fps: { type: 'string' },
  'bitrate-kbps': { type: 'string' },
  codec: { type: 'string' },
  gop: { type: 'string' },
  profile: { type: 'string' },
  audio: { type: 'string' },
  'audio-rate': { type: 'string' },
} as const;

const OPTION_OF: Record<LimitedSetting, keyof typeof SETTINGS_OPTIONS> = {
  width: 'width',
  height: 'height',
  fps: 'fps',
  bitrateKbps: 'bitrate-kbps',
  gop: 'gop',
};

/** The stream options' line of the usage text, with the defaults. */
export function settingsUsage(): string {
  const d = DEFAULT_STREAM_SETTINGS;
  return `[--width ${d.width} --height ${d.height} --fps ${d.fps} --bitrate-kbps ${d.bitrateKbps} --codec h264|h265 --gop ${d.gop}\n          --profile baseline|main|high --audio g711u|g711a|off --audio-rate 8000|16000]`;
}

export function settingsFromOptions(o: Record<string, string | boolean | undefined>): StreamSettings {
  const str = (k: string) => o[k] as string | undefined;
  const limited = (name: LimitedSetting): number => {
    const text = str(OPTION_OF[name]);
    if (text === undefined) return DEFAULT_STREAM_SETTINGS[name];
    const why = outsideLimit(name, Number(text));
    if (why) throw new UserError(`--${OPTION_OF[name]} ${why} (got "${text}")`);
    return Number(text);
  };
  const codecText = str('codec') ?? 'h264';
  const codec = CODECS[codecText.toLowerCase()];
  if (codec === undefined) throw new UserError(`--codec must be h264 or h265 (got "${codecText}")`);
  const profileText = str('profile');
  const profile = profileText === undefined ? defaultProfile(codec) : { baseline: Profile.Baseline, main: Profile.Main, high: Profile.High }[profileText.toLowerCase()];
  if (profile === undefined) throw new UserError(`--profile must be baseline, main or high (got "${profileText}")`);
  const audioText = str('audio') ?? 'g711u';
  const audio = AUDIO_CODECS[audioText.toLowerCase()];
  if (audio === undefined) throw new UserError(`--audio must be g711u, g711a or off (got "${audioText}")`);
  const rateText = str('audio-rate') ?? String(DEFAULT_STREAM_SETTINGS.audioRate);
  const audioRate = Number(rateText);
  if (!(AUDIO_RATES as readonly number[]).includes(audioRate)) throw new UserError(`--audio-rate must be 8000 or 16000 (got "${rateText}")`);
  return {
    width: limited('width'),
    height: limited('height'),
    fps: limited('fps'),
    bitrateKbps: limited('bitrateKbps'),
    gop: limited('gop'),
    codec,
    profile,
    audio,
    audioRate: audio === AudioCodec.Off ? 0 : audioRate,
    source: DEFAULT_STREAM_SETTINGS.source,
  };
}
