// The live preview's page: controls, the picture, the stats overlay. It talks to whoever hosts it
// (the extension, or a test page) only through the typed messages of src/shared/panel.ts.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { BoardStateMessage, FromWebviewMessage, PanelRequests, PlayerStats, PreviewSettings, SettingsMessage, SourceChoice, SourceMessage, ToWebviewMessage } from '../shared/panel';
import { Requester, unreachable } from '../shared/request-reply';
import { formatBytes, formatDuration } from '../shared/format';
import { fill, type PreviewStrings } from '../shared/preview-strings';
import { LivePlayer, type FrameTiming } from './player';
import type { ScheduledSound } from './sound-playback';

export interface PreviewChannel {
  post(message: FromWebviewMessage): void;
  /** Binary fields must be sent as Uint8Array (a structured copy), not as JSON. */
  onMessage(handler: (message: ToWebviewMessage) => void): void;
}

const RESOLUTIONS = [
  [640, 360],
  [1280, 720],
  [1920, 1080],
];
const FRAME_RATES = [10, 15, 25, 30, 60];
const BITRATES = [500, 1000, 2000, 4000, 8000, 12000];

interface SelectElement extends HTMLElement {
  value: string;
}

function element<T extends HTMLElement>(tag: string, props: Partial<T> & { attrs?: Record<string, string> } = {}, ...children: (Node | string)[]): T {
  const { attrs, ...rest } = props;
  const e = Object.assign(document.createElement(tag), rest) as T;
  for (const [k, v] of Object.entries(attrs ?? {})) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

function select(id: string, label: string, options: [string, string][], title = label): SelectElement {
  const s = element<SelectElement>('vscode-single-select', { id, attrs: { 'aria-label': label, title } });
  for (const [value, text] of options) s.append(element('vscode-option', { attrs: { value } }, text));
  return s;
}

export interface PreviewOptions {
  /** every presented frame's capture-to-screen latency, ms, and where its time went (benchmarks and tests) */
  onFrameLatency?: (ms: number, timing: FrameTiming) => void;
  /** every chunk of sound scheduled to reach the speaker (benchmarks and tests) */
  onSoundScheduled?: (chunk: ScheduledSound) => void;
}

/** The meter's range: its floor, in dBFS. */
const METER_FLOOR_DB = -60;

/** `strings`: the page's words in the window's language (the extension's translation of PREVIEW_STRINGS). */
export function mountPreview(root: HTMLElement, channel: PreviewChannel, strings: PreviewStrings, options: PreviewOptions = {}): void {
  const state = element<HTMLSpanElement>('span', { className: 'board-state', attrs: { role: 'status' } }, strings.waitingForBoard);
  const resolution = select('resolution', strings.resolution, RESOLUTIONS.map(([w, h]) => [`${w}x${h}`, `${w}×${h}`]));
  const fps = select('fps', strings.frameRate, FRAME_RATES.map((f) => [String(f), `${f} fps`]));
  const bitrate = select('bitrate', strings.bitrate, BITRATES.map((b) => [String(b), b >= 1000 ? `${b / 1000} Mbit/s` : `${b} kbit/s`]));
  const source = select('source', strings.source, [['follow', strings.sourceFollow], ['camera', strings.sourceCamera], ['display', strings.sourceDisplay]], strings.sourceTitle);
  source.hidden = true; // a board that can stream a script's display shows it
  const showing = element<HTMLSpanElement>('span', { className: 'showing', hidden: true, title: strings.showingTitle, attrs: { 'data-testid': 'showing' } });
  const snapshot = element<HTMLElement>('vscode-button', { id: 'snapshot', title: strings.snapshotTitle }, strings.snapshot);
  const record = element<HTMLElement>('vscode-button', { id: 'record', title: strings.recordTitle }, strings.record);
  record.setAttribute('secondary', '');
  // Sound starts muted, as in a browser: a page may make sound only after a click, and a preview
  // that beeps when opened would startle. The meter shows the sound either way.
  const mute = element<HTMLElement>('vscode-button', { id: 'mute', hidden: true, title: strings.unmuteTitle }, strings.unmute);
  mute.setAttribute('secondary', '');
  const levelBar = element<HTMLSpanElement>('span', { className: 'level-bar' });
  const level = element<HTMLSpanElement>(
    'span',
    { className: 'level', hidden: true, title: strings.soundLevelTitle, attrs: { role: 'meter', 'aria-label': strings.soundLevel, 'aria-valuemin': String(METER_FLOOR_DB), 'aria-valuemax': '0', 'data-testid': 'level' } },
    levelBar,
  );
  const video = element<HTMLVideoElement>('video', { hidden: true, muted: true, autoplay: true, attrs: { 'aria-label': strings.cameraPicture } });
  const canvas = element<HTMLCanvasElement>('canvas', { hidden: true, attrs: { 'aria-label': strings.cameraPicture } });
  const placeholder = element<HTMLDivElement>('div', { className: 'placeholder' }, strings.noPicture);
  const stats = element<HTMLDListElement>('dl', { className: 'stats', attrs: { 'data-testid': 'stats' } });
  const recording = element<HTMLSpanElement>('span', { className: 'recording', hidden: true });
  const notice = element<HTMLSpanElement>('span', { className: 'notice', hidden: true, attrs: { role: 'alert', 'data-testid': 'notice' } });
  // Nothing lies over the picture: the controls above it in one row, the board's state, a notice
  // and the figures in a line below it (media/preview.css).
  root.append(
    element('header', { className: 'toolbar' }, showing, recording, element('span', { className: 'spacer' }), source, resolution, fps, bitrate, level, mute, snapshot, record),
    element('main', { className: 'stage' }, video, canvas, placeholder),
    element('footer', { className: 'status-line' }, state, notice, stats),
  );

  const showLevel = (db: number) => {
    const shown = Math.max(METER_FLOOR_DB, Math.min(0, db));
    levelBar.style.width = `${((shown - METER_FLOOR_DB) / -METER_FLOOR_DB) * 100}%`;
    level.setAttribute('aria-valuenow', String(Math.round(shown)));
    level.dataset.db = db.toFixed(1);
  };
  const player = new LivePlayer(video, canvas, {
    presented: options.onFrameLatency,
    sound: { level: showLevel, scheduled: options.onSoundScheduled },
    needKeyframe: (reason) => channel.post({ type: 'needKeyframe', reason }),
    failed: (message) => {
      placeholder.hidden = false;
      placeholder.textContent = fill(strings.cannotPlay, message);
      channel.post({ type: 'playerError', message });
    },
  });

  const requests = new Requester<PanelRequests>((m) => channel.post(m));
  /** A request's outcome, in one line beside the board's state: what failed, or what was done. */
  const tell = (text: string | undefined) => {
    notice.hidden = !text;
    notice.textContent = text ?? '';
    notice.title = text ?? ''; // whole, where the line is too narrow for it
  };
  const selectedSettings = (): PreviewSettings => {
    const [width, height] = resolution.value.split('x').map(Number);
    return { width, height, fps: Number(fps.value), bitrateKbps: Number(bitrate.value), source: source.value as SourceChoice };
  };
  // The selects show what the board applied: the reply's settings, or, when it refused, the last applied.
  let applied: SettingsMessage | undefined;
  for (const control of [resolution, fps, bitrate, source]) {
    control.addEventListener('change', async () => {
      try {
        const settings = await requests.request('applySettings', selectedSettings());
        if (applied) showSettings({ ...applied, settings });
        tell(undefined);
      } catch (e) {
        if (applied) showSettings(applied);
        tell(fill(strings.settingsNotApplied, (e as Error).message));
      }
    });
  }
  const activate = (e: Element, run: () => Promise<void>) => {
    e.addEventListener('click', () => run().catch((err: Error) => tell(err.message)));
  };
  activate(snapshot, async () => {
    const png = await player.snapshot();
    if (!png) throw new Error(strings.nothingToSave);
    const { savedAs } = await requests.request('snapshot', { png });
    tell(fill(strings.saved, savedAs));
  });
  activate(mute, async () => {
    await player.sound.setMuted(!player.sound.muted);
    mute.textContent = player.sound.muted ? strings.unmute : strings.mute;
    mute.title = player.sound.muted ? strings.unmuteTitle : strings.muteTitle;
    mute.toggleAttribute('secondary', player.sound.muted);
  });
  activate(record, async () => {
    await requests.request('toggleRecording', {});
    tell(undefined);
  });

  const showSettings = (m: SettingsMessage) => {
    applied = m;
    const key = `${m.settings.width}x${m.settings.height}`;
    for (const o of resolution.querySelectorAll('vscode-option')) {
      const [w, h] = o.getAttribute('value')!.split('x').map(Number);
      (o as HTMLElement).toggleAttribute('disabled', (w > m.maxWidth || h > m.maxHeight) && o.getAttribute('value') !== key);
    }
    for (const o of fps.querySelectorAll('vscode-option')) (o as HTMLElement).toggleAttribute('disabled', Number(o.getAttribute('value')) > m.maxFps);
    resolution.value = key;
    fps.value = String(m.settings.fps);
    bitrate.value = String(m.settings.bitrateKbps);
    source.value = m.settings.source;
    source.hidden = !m.display;
  };

  /** What the picture shows; with nothing to show, why, in words the person can act on. */
  let board: BoardStateMessage | undefined;
  let sources: SourceMessage | undefined;
  const explain = () => {
    if (board && board.state !== 'streaming') {
      player.stop();
      placeholder.hidden = false;
      placeholder.textContent = board.detail ?? (board.state === 'disconnected' ? strings.noBoard : strings.noPicture);
      return;
    }
    if (sources?.live !== 'none') return;
    const chosen = applied?.settings.source ?? 'follow';
    const why = !sources.camera && !sources.display ? strings.noDisplay : chosen === 'display' ? strings.noDisplayYet : chosen === 'camera' && !sources.camera ? strings.cameraHeld : undefined;
    if (!why) return;
    player.stop();
    placeholder.hidden = false;
    placeholder.textContent = why;
  };
  const showSource = (m: SourceMessage) => {
    sources = m;
    showing.hidden = m.live === 'none';
    showing.textContent = m.live === 'display' ? strings.showingDisplay : m.live === 'camera' ? strings.showingCamera : '';
    showing.dataset.live = m.live;
    explain();
  };

  channel.onMessage((m) => {
    switch (m.type) {
      case 'board':
        state.textContent = [m.boardName, strings[m.state], m.detail].filter(Boolean).join(' — ');
        state.title = state.textContent;
        state.dataset.state = m.state;
        board = m;
        explain();
        break;
      case 'init':
        placeholder.hidden = true;
        player.setInit(m);
        mute.hidden = level.hidden = !m.sound;
        break;
      case 'sound':
        player.appendSound(m);
        break;
      case 'fragment':
        player.append(m);
        break;
      case 'settings':
        showSettings(m);
        break;
      case 'source':
        showSource(m);
        break;
      case 'recording':
        recording.hidden = !m.active;
        recording.textContent = m.active ? fill(strings.recordingBadge, formatDuration(m.elapsedS), formatBytes(m.bytes)) : '';
        record.textContent = m.active ? strings.stop : strings.record;
        record.title = m.active ? strings.stopTitle : strings.recordTitle;
        record.toggleAttribute('secondary', !m.active);
        break;
      case 'reply':
        requests.settle(m);
        break;
      default:
        unreachable(m);
    }
  });

  setInterval(() => {
    const s = player.currentStats();
    renderStats(stats, s, strings);
    channel.post({ type: 'stats', stats: s });
  }, 1000);
  channel.post({ type: 'ready' });
}

function renderStats(dl: HTMLDListElement, s: PlayerStats, strings: PreviewStrings): void {
  const unshownShare = s.decodedFrames ? ` (${((100 * s.unshownFrames) / s.decodedFrames).toFixed(1)} %)` : '';
  /** label, value, and what it counts (its tooltip); a value that says what it is by itself shows no label */
  const rows: [string, string, string?][] = [
    [strings.statPath, s.path === 'mse' ? 'MediaSource' : s.path === 'webcodecs' ? 'WebCodecs' : '—', strings.statPath],
    [strings.statFps, `${s.fps} fps`, strings.statFps],
    [strings.statBitrate, `${(s.bitrateKbps / 1000).toFixed(2)} Mbit/s`, strings.statBitrate],
    [strings.statLatency, s.latencyP50Ms === null ? '—' : fill(strings.statLatencyValue, s.latencyP50Ms, String(s.latencyMaxMs))],
    [strings.statLost, String(s.lostFrames), strings.statLostTitle],
    [strings.statUnshown, `${s.unshownFrames}${unshownShare}`, strings.statUnshownTitle],
    [strings.statBuffer, `${s.bufferMs} ms`],
  ];
  dl.replaceChildren(...rows.map(([k, v, title = '']) => element('div', { title, className: title === k ? 'value-only' : '' }, element('dt', {}, k), element('dd', {}, v))));
  dl.dataset.path = s.path;
  dl.dataset.decoded = String(s.decodedFrames);
  dl.dataset.skipped = String(s.skippedFrames);
  dl.dataset.lost = String(s.lostFrames);
  dl.dataset.unshown = String(s.unshownFrames);
  dl.dataset.received = String(s.receivedFrames);
  dl.dataset.latencyP50 = String(s.latencyP50Ms ?? '');
}
