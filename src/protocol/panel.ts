// The whole contract between the extension and the live preview webview (and any page hosting
// the player): one interface per message, discriminated by `type`, in two unions.

export interface PreviewSettings {
  width: number;
  height: number;
  fps: number;
  bitrateKbps: number;
}

export type BoardState = 'disconnected' | 'connecting' | 'connected' | 'streaming';

export interface PlayerStats {
  /** 'mse' (MediaSource into <video>) or 'webcodecs' (VideoDecoder onto <canvas>) */
  path: 'mse' | 'webcodecs' | 'none';
  /** frames presented in the last second */
  fps: number;
  /** bits received in the last second, in kbit/s */
  bitrateKbps: number;
  /** capture on the board to presentation here, last second's median and maximum, ms */
  latencyP50Ms: number | null;
  latencyMaxMs: number | null;
  /** board-side drops plus frames the player dropped */
  dropped: number;
  /** media buffered ahead of the playhead, ms */
  bufferMs: number;
  /** every frame the decoder produced since the stream (re)started */
  decodedFrames: number;
  /** fragments received since the stream (re)started */
  receivedFrames: number;
}

// extension -> webview

export interface BoardStateMessage {
  type: 'board';
  state: BoardState;
  boardName?: string;
  /** one line for the person: why it is in this state */
  detail?: string;
}

export interface InitMessage {
  type: 'init';
  codecString: string;
  width: number;
  height: number;
  /** ftyp + moov */
  data: Uint8Array;
}

export interface FragmentMessage {
  type: 'fragment';
  /** moof + mdat */
  data: Uint8Array;
  sequence: number;
  keyframe: boolean;
  /** the fragment's decode time in seconds, as in its tfdt */
  mediaTimeS: number;
  /** capture time on the board, mapped to the host's wall clock, ms since the epoch */
  captureMs: number;
  /** frames the board dropped since the stream started */
  boardDropped: number;
}

export interface SettingsMessage {
  type: 'settings';
  settings: PreviewSettings;
  maxWidth: number;
  maxHeight: number;
  maxFps: number;
}

export interface RecordingMessage {
  type: 'recording';
  active: boolean;
  elapsedS: number;
  bytes: number;
}

export type ToWebviewMessage = BoardStateMessage | InitMessage | FragmentMessage | SettingsMessage | RecordingMessage;

// webview -> extension

export interface ReadyMessage {
  type: 'ready';
}

export interface ApplySettingsMessage {
  type: 'applySettings';
  settings: PreviewSettings;
}

export interface SnapshotMessage {
  type: 'snapshot';
  /** PNG bytes of the frame on screen */
  png: Uint8Array;
}

export interface StatsMessage {
  type: 'stats';
  stats: PlayerStats;
}

export interface NeedKeyframeMessage {
  type: 'needKeyframe';
  reason: string;
}

export interface PlayerErrorMessage {
  type: 'playerError';
  message: string;
}

export interface ToggleRecordingMessage {
  type: 'toggleRecording';
}

export type FromWebviewMessage =
  | ReadyMessage
  | ApplySettingsMessage
  | SnapshotMessage
  | StatsMessage
  | NeedKeyframeMessage
  | PlayerErrorMessage
  | ToggleRecordingMessage;
