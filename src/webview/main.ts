// Entry point inside the VS Code webview.
import type { FromWebviewMessage, ToWebviewMessage } from '../shared/panel';
import { mountPreview } from './preview-view';

declare function acquireVsCodeApi(): { postMessage(message: FromWebviewMessage): void };

const vscode = acquireVsCodeApi();
mountPreview(document.getElementById('root')!, {
  post: (m) => vscode.postMessage(m),
  onMessage: (handler) => window.addEventListener('message', (e: MessageEvent<ToWebviewMessage>) => handler(e.data)),
});
