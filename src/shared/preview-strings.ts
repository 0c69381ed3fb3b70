// Every word the live preview shows, in one table: the extension translates it with vscode.l10n
// (each English text is its own key in l10n/bundle.l10n.<locale>.json) and puts it in the page,
// since a webview cannot reach vscode.l10n. `{0}`, `{1}` are filled in by the webview (fill).
import type { BoardState } from './panel';

export const PREVIEW_STRINGS = {
  waitingForBoard: 'Waiting for the board…',
  resolution: 'Resolution',
  frameRate: 'Frame rate',
  bitrate: 'Bitrate',
  snapshot: 'Snapshot',
  snapshotTitle: 'Save the frame on screen as a PNG in the workspace',
  record: 'Record',
  stop: 'Stop',
  recordTitle: 'Record the board’s stream into the workspace',
  stopTitle: 'Stop recording',
  // the button says what a click does (its tooltip too); the level meter beside it shows the sound either way
  unmute: 'Unmute',
  mute: 'Mute',
  unmuteTitle: 'Play the board’s microphone',
  muteTitle: 'Mute the board’s microphone',
  soundLevel: 'Sound level',
  soundLevelTitle: 'Sound level (peak, dBFS)',
  cameraPicture: 'Live camera picture',
  noPicture: 'No picture yet.',
  noBoard: 'No board connected.',
  cannotPlay: 'Cannot play the picture: {0}',
  settingsNotApplied: 'Settings not applied: {0}',
  nothingToSave: 'No picture to save yet.',
  saved: 'Saved {0}',
  recordingBadge: '● REC {0} · {1}',
  disconnected: 'disconnected',
  connecting: 'connecting',
  connected: 'connected',
  streaming: 'streaming',
  statPath: 'path',
  statFps: 'fps',
  statBitrate: 'bitrate',
  statLatency: 'latency',
  statLatencyValue: '{0} ms (max {1})',
  statLost: 'lost',
  statLostTitle: 'Frames that never reached the decoder: dropped on the board or the link when it fell behind, or passed over to stay live.',
  statUnshown: 'not shown',
  statUnshownTitle:
    'Frames decoded but never on screen: a newer frame took their refresh. They were received whole, and recordings keep them. With MediaSource this is Chromium’s own count, which is high at the live edge, where each frame reaches it just in time.',
  statBuffer: 'buffer',
  source: 'Source',
  sourceTitle: 'Source: Auto shows the script’s display while a script shows one, else the camera',
  sourceFollow: 'Auto',
  sourceCamera: 'Camera',
  sourceDisplay: 'Script display',
  showingCamera: 'camera',
  showingDisplay: 'script display',
  showingTitle: 'What the picture shows',
  noDisplay: 'This script shows no display, so there is no picture while it runs. A script shows one with Display.init(Display.VIRT, …), or on a panel with to_ide=True.',
  noDisplayYet: 'No script is showing a display. Run one (F5), or pick the camera.',
  cameraHeld: 'The running script holds the camera: its picture comes back when the script ends.',
} as const satisfies Record<BoardState, string> & Record<string, string>;

/** The table in one language: the same keys, any text. */
export type PreviewStrings = { readonly [K in keyof typeof PREVIEW_STRINGS]: string };

/** The table with every text passed through `translate` (the extension's vscode.l10n.t). */
export function translatePreviewStrings(translate: (english: string) => string): PreviewStrings {
  const entries = Object.entries(PREVIEW_STRINGS).map(([key, english]) => [key, translate(english)]);
  return Object.fromEntries(entries) as PreviewStrings;
}

/** `{0}`, `{1}`, … of a translated text, filled in as vscode.l10n.t does. */
export function fill(template: string, ...args: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (match, i: string) => (args[Number(i)] === undefined ? match : String(args[Number(i)])));
}
