// What the player needs from a decoding path: MediaSource into <video>, or WebCodecs onto <canvas>.
import type { PreviewFragment } from '../shared/panel';

export interface Playback {
  readonly path: 'mse' | 'webcodecs';
  append(fragment: PreviewFragment): void;
  /** media buffered ahead of what is on screen, ms */
  bufferMs(): number;
  /** frames decoded since this playback began */
  decodedFrames(): number;
  /** frames decoded but never shown */
  droppedFrames(): number;
  /** frames passed over on purpose, to stay at the live edge (never decoded) */
  skippedFrames(): number;
  /** Holds the picture this much behind the newest frame (the sound needs it); 0: as live as it can be. */
  setPictureDelay(seconds: number): void;
  /** the element showing the picture, for snapshots */
  readonly surface: HTMLVideoElement | HTMLCanvasElement;
  destroy(): void;
}

/** A frame handed to the compositor; times are performance.now() ms. */
export interface PresentedFrame {
  mediaTimeS: number;
  /** the animation frame that takes it: the one whose requestVideoFrameCallback reports the video's
   * frame, or the one that draws it onto the canvas */
  presentedPerfMs: number;
  /** when it is expected on the display, which the sound is scheduled against */
  displayPerfMs: number;
  /** how long it was held back for the sound beyond when it could have been shown */
  heldMs: number;
  /** when the decoder gave it out, where the path can tell (WebCodecs) */
  decodedPerfMs?: number;
  /** the video's own requestVideoFrameCallback presentationTime (MediaSource) */
  videoPresentationPerfMs?: number;
}

export interface PlaybackEvents {
  presented(frame: PresentedFrame): void;
  /** the path cannot go on; the player decides what next */
  failed(message: string): void;
  /** decoding lost its references and needs an IDR to go on */
  needKeyframe(reason: string): void;
}

/** Wall-clock ms for a performance.now()-style timestamp, comparable with the host's captureMs. */
export function wallClockMs(perfNowMs: number): number {
  return performance.timeOrigin + perfNowMs;
}
