// Entry point inside the VS Code webview.
import type { FromWebviewMessage, ToWebviewMessage } from '../shared/panel';
import type { PreviewStrings } from '../shared/preview-strings';
import { mountPreview } from './preview-view';

declare function acquireVsCodeApi(): { postMessage(message: FromWebviewMessage): void; setState(state: PreviewState): void };

/** What VS Code keeps of the preview across a reload: that it was open (its serializer brings it
 * back, and the stream restarts from a fresh IDR); everything else comes from the extension. */
interface PreviewState {
  open: true;
}

const vscode = acquireVsCodeApi();
vscode.setState({ open: true });
const root = document.getElementById('root')!;
// The page's words, translated by the extension (preview-panel.ts) into the window's language.
const strings = JSON.parse(root.dataset.strings!) as PreviewStrings;
mountPreview(
  root,
  {
    post: (m) => vscode.postMessage(m),
    onMessage: (handler) => window.addEventListener('message', (e: MessageEvent<ToWebviewMessage>) => handler(e.data)),
  },
  strings,
);
