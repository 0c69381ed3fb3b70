// The whole contract between the extension and the live preview webview (and any page hosting
// the player): one interface per message, discriminated by `type`, in two unions, and the
// requests the webview makes, each answered by one reply (request-reply.ts).
import type { ReplyMessage, RequestMessage } from './request-reply';

/** What a stream shows: the camera, or the display a user's script shows. */
export type StreamSource = 'camera' | 'display';
/** What the person picks: one of them, or follow (the script's display while one shows, else the camera). */
export type SourceChoice = StreamSource | 'follow';

export interface PreviewSettings {
  width: number;
  height: number;
  fps: number;
  bitrateKbps: number;
  source: SourceChoice;
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
  /** frames that never reached the decoder: dropped on the board or the link, or passed over to stay live */
  lostFrames: number;
  /** frames decoded but never on screen (a newer one took their refresh) */
  unshownFrames: number;
  /** media buffered ahead of the playhead, ms */
  bufferMs: number;
  /** every frame the decoder produced since the stream (re)started */
  decodedFrames: number;
  /** frames the player passed over on purpose to stay at the live edge, never decoded */
  skippedFrames: number;
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

/** G.711 by the names the webview decodes it by. */
export type SoundCodec = 'g711a' | 'g711u';

export interface PreviewInit {
  type: 'init';
  codecString: string;
  width: number;
  height: number;
  /** ftyp + moov, the video track only: what MediaSource and WebCodecs take */
  data: Uint8Array;
  /** the stream's sound, which the webview decodes itself (no MediaSource plays G.711); undefined: none */
  sound?: { codec: SoundCodec; rate: number };
}

/** One chunk of the stream's sound, G.711 as the board encoded it. */
export interface PreviewSound {
  type: 'sound';
  /** its G.711 bytes, one per sample */
  data: Uint8Array;
  /** its first sample's time on the picture's timeline (the fragments' mediaTimeS), s */
  mediaTimeS: number;
  /** capture time of its first sample on the board, mapped to the host's wall clock, ms since the epoch */
  captureMs: number;
}

export interface PreviewFragment {
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
  /** the board can stream a script's display beside its camera */
  display: boolean;
}

/** What the board can stream now, and what the picture shows (the board's SOURCES). */
export interface SourceMessage {
  type: 'source';
  camera: boolean;
  display: boolean;
  /** what the stream shows now; 'none': what was asked for is not there (a script holds the camera and shows no display) */
  live: StreamSource | 'none';
}

export interface RecordingMessage {
  type: 'recording';
  active: boolean;
  elapsedS: number;
  bytes: number;
}

export type ToWebviewMessage =
  | BoardStateMessage
  | PreviewInit
  | PreviewFragment
  | PreviewSound
  | SettingsMessage
  | SourceMessage
  | RecordingMessage
  | ReplyMessage;

// webview -> extension

export interface ReadyMessage {
  type: 'ready';
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

/** What the webview asks of the extension; each gets one reply. */
export type PanelRequests = {
  /** Restarts the stream with these settings (a bitrate alone changes live); the result is what the board applied. */
  applySettings: { params: PreviewSettings; result: PreviewSettings };
  /** Saves the PNG of the frame on screen into the workspace; the result is its path there. */
  snapshot: { params: { png: Uint8Array }; result: { savedAs: string } };
  /** Starts or stops recording into the workspace; the result is whether it now records. */
  toggleRecording: { params: Record<string, never>; result: { active: boolean } };
};

export type PanelRequest = RequestMessage<PanelRequests>;

export type FromWebviewMessage = ReadyMessage | StatsMessage | NeedKeyframeMessage | PlayerErrorMessage | PanelRequest;
