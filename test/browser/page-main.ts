// The player on a plain page: messages in by window.postMessage, out into window.outbox, and every
// presented frame's latency into window.latencies, for the test to read.
import type { FromWebviewMessage, ToWebviewMessage } from '../../src/shared/panel';
import { PREVIEW_STRINGS } from '../../src/shared/preview-strings';
import { mountPreview } from '../../src/webview/preview-view';
import type { ScheduledSound } from '../../src/webview/sound-playback';

declare global {
  interface Window {
    outbox: FromWebviewMessage[];
    latencies: number[];
    firstFrameAtMs: number | undefined;
    /** every chunk of sound the player scheduled: when it reaches the speaker (performance.now() ms) */
    soundScheduled: ScheduledSound[];
    /** every frame the <video> presented: whether its corner block is white, and when it is on the display */
    framesShown: { mediaTimeS: number; displayPerfMs: number; white: boolean }[];
  }
}

window.outbox = [];
window.latencies = [];
window.soundScheduled = [];
window.framesShown = [];
mountPreview(
  document.getElementById('root')!,
  {
    post: (m) => window.outbox.push(m),
    onMessage: (handler) => window.addEventListener('message', (e: MessageEvent<ToWebviewMessage>) => handler(e.data)),
  },
  PREVIEW_STRINGS, // the English table, as a window in English gets it
  {
    onFrameLatency: (ms) => {
      window.firstFrameAtMs ??= performance.timeOrigin + performance.now();
      window.latencies.push(ms);
    },
    onSoundScheduled: (chunk) => window.soundScheduled.push(chunk),
  },
);

// The simulated camera's mark of each whole second, read off what the <video> presents: its frames
// drawn into a small canvas, the top-left block's brightness sampled.
const video = document.querySelector('video')!;
const probe = document.createElement('canvas');
probe.width = probe.height = 8;
const probeContext = probe.getContext('2d', { willReadFrequently: true })!;
const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
  if (meta.width) {
    // The block is 64x64 of the picture: its middle, scaled into the probe.
    probeContext.drawImage(video, 16, 16, 32, 32, 0, 0, 8, 8);
    const px = probeContext.getImageData(4, 4, 1, 1).data;
    window.framesShown.push({ mediaTimeS: meta.mediaTime, displayPerfMs: meta.expectedDisplayTime, white: px[0] > 128 });
  }
  video.requestVideoFrameCallback(onFrame);
};
video.requestVideoFrameCallback(onFrame);
