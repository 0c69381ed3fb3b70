// The player on a plain page: messages in by window.postMessage, out into window.outbox, and every
// presented frame's latency into window.latencies, for the test to read.
import type { FromWebviewMessage, ToWebviewMessage } from '../../src/shared/panel';
import { mountPreview } from '../../src/webview/preview-view';

declare global {
  interface Window {
    outbox: FromWebviewMessage[];
    latencies: number[];
    firstFrameAtMs: number | undefined;
  }
}

window.outbox = [];
window.latencies = [];
mountPreview(
  document.getElementById('root')!,
  {
    post: (m) => window.outbox.push(m),
    onMessage: (handler) => window.addEventListener('message', (e: MessageEvent<ToWebviewMessage>) => handler(e.data)),
  },
  {
    onFrameLatency: (ms) => {
      window.firstFrameAtMs ??= performance.timeOrigin + performance.now();
      window.latencies.push(ms);
    },
  },
);
