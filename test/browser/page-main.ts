// The player on a plain page: messages in by window.postMessage, out into window.outbox, and every
// presented frame's latency into window.latencies, for the test to read.
import type { FromWebviewMessage, ToWebviewMessage } from '../../src/shared/panel';
import { PREVIEW_STRINGS } from '../../src/shared/preview-strings';
import type { FrameTiming } from '../../src/webview/player';
import { mountPreview } from '../../src/webview/preview-view';
import type { ScheduledSound } from '../../src/webview/sound-playback';

declare global {
  interface Window {
    outbox: FromWebviewMessage[];
    latencies: number[];
    /** where each presented frame's time went, in the page */
    timings: FrameTiming[];
    firstFrameAtMs: number | undefined;
    /** every chunk of sound the player scheduled: when it reaches the speaker (performance.now() ms) */
    soundScheduled: ScheduledSound[];
    /** every frame presented (by the <video> or onto the canvas): whether its corner block is white, and when it is on the display */
    framesShown: { mediaTimeS: number; displayPerfMs: number; white: boolean }[];
  }
}

window.outbox = [];
window.latencies = [];
window.timings = [];
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
    onFrameLatency: (ms, timing) => {
      window.firstFrameAtMs ??= timing.presentedMs;
      window.latencies.push(ms);
      window.timings.push(timing);
      if (timing.path === 'webcodecs') {
        // drawn onto the canvas just now, in the animation frame the compositor takes
        window.framesShown.push({ mediaTimeS: timing.mediaTimeS, displayPerfMs: timing.displayMs - performance.timeOrigin, white: cornerIsWhite(canvas) });
      }
    },
    onSoundScheduled: (chunk) => window.soundScheduled.push(chunk),
  },
);

// The panel's messages, as harness.ts streams them: each posted to this window, as the webview gets them.
void (async () => {
  const reader = (await fetch('/feed')).body!.getReader();
  let buffered = new Uint8Array(0);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const joined = new Uint8Array(buffered.length + value.length);
    joined.set(buffered);
    joined.set(value, buffered.length);
    buffered = joined;
    for (;;) {
      const view = new DataView(buffered.buffer, buffered.byteOffset, buffered.byteLength);
      if (buffered.length < 4) break;
      const headerLength = view.getUint32(0, true);
      if (buffered.length < 8 + headerLength) break;
      const dataLength = view.getUint32(4 + headerLength, true);
      const end = 8 + headerLength + (dataLength === 0xffffffff ? 0 : dataLength);
      if (buffered.length < end) break;
      const message = JSON.parse(new TextDecoder().decode(buffered.subarray(4, 4 + headerLength)));
      if (dataLength !== 0xffffffff) message.data = buffered.slice(8 + headerLength, end);
      window.postMessage(message, '*');
      buffered = buffered.subarray(end);
    }
  }
})();

// The simulated camera's mark of each whole second, read off what the <video> presents (or what was
// drawn onto the canvas): the picture drawn into a small canvas, the top-left block's brightness sampled.
const video = document.querySelector('video')!;
const canvas = document.querySelector('canvas')!;
const probe = document.createElement('canvas');
probe.width = probe.height = 8;
const probeContext = probe.getContext('2d', { willReadFrequently: true })!;
function cornerIsWhite(surface: HTMLVideoElement | HTMLCanvasElement): boolean {
  // The block is 64x64 of the picture: its middle, scaled into the probe.
  probeContext.drawImage(surface, 16, 16, 32, 32, 0, 0, 8, 8);
  return probeContext.getImageData(4, 4, 1, 1).data[0] > 128;
}
const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
  if (meta.width) window.framesShown.push({ mediaTimeS: meta.mediaTime, displayPerfMs: meta.expectedDisplayTime, white: cornerIsWhite(video) });
  video.requestVideoFrameCallback(onFrame);
};
video.requestVideoFrameCallback(onFrame);
