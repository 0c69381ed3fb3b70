// Hosts the live preview webview: feeds it the stream while it is visible, takes its requests.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { PreviewFeed } from '../host/live/preview-feed';
import type { BoardSession } from '../host/session/board-session';
import { UserError } from '../shared/user-error';
import { Source, type StreamSettings } from '../protocol/messages';
import type { FromWebviewMessage, PanelRequests, PreviewSettings, SourceChoice, ToWebviewMessage } from '../shared/panel';
import { translatePreviewStrings } from '../shared/preview-strings';
import { answer, Handlers, unreachable } from '../shared/request-reply';
import { BoardConnection } from './board-connection';
import { WorkspaceRecording } from './workspace-recording';

export const PREVIEW_VIEW_TYPE = 'k230live.preview';

export class PreviewPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  /** the webview has said 'ready' since it was (re)loaded */
  private live = false;
  /** the stream of the connected board's session as the view's messages */
  private feed: { session: BoardSession; feed: PreviewFeed } | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly connection: BoardConnection,
    private readonly recording: WorkspaceRecording,
    private readonly log: vscode.LogOutputChannel,
    /** saves the PNG into the workspace; returns its path there */
    private readonly saveSnapshot: (png: Uint8Array) => Promise<string>,
    /** the preview shows the board's picture */
    private readonly playing: () => void,
  ) {
    this.subscriptions = [
      connection.onDidChangeState(() => this.onStateChanged()),
      recording.onDidChange((p) => this.post({ type: 'recording', ...p })),
    ];
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    this.adopt(vscode.window.createWebviewPanel(PREVIEW_VIEW_TYPE, vscode.l10n.t('K230 Live Preview'), vscode.ViewColumn.Active, this.options()));
  }

  /** The panel VS Code brings back after a reload (the webview panel serializer). */
  restore(panel: vscode.WebviewPanel): void {
    if (this.panel) {
      panel.dispose(); // one preview a window
      return;
    }
    panel.webview.options = this.options();
    this.adopt(panel);
  }

  /** The webview's only resources: the page's CSS and icon, and its bundle. */
  private get media(): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, 'media');
  }

  private get bundle(): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [this.media, this.bundle] };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    panel.iconPath = vscode.Uri.joinPath(this.media, 'camera.svg');
    panel.webview.html = this.html(panel.webview, this.media, this.bundle);
    panel.webview.onDidReceiveMessage((m: FromWebviewMessage) => this.onMessage(m).catch((e) => this.fail(e)));
    panel.onDidChangeViewState(() => this.onVisibility(panel.visible));
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.live = false;
      void this.connection.release('preview');
    });
    this.panel = panel;
  }

  dispose(): void {
    this.subscriptions.forEach((d) => d.dispose());
    this.feed?.feed.close();
    this.panel?.dispose();
  }

  /** Follows the connection's session: a new one (a reconnect) gets a feed of its own. */
  private followSession(): PreviewFeed | undefined {
    const session = this.connection.connected;
    const clock = this.connection.clock;
    if (this.feed?.session === session) return this.feed?.feed;
    this.feed?.feed.close();
    this.feed = session && clock ? { session, feed: new PreviewFeed(session, clock, (m) => this.post(m)) } : undefined;
    return this.feed?.feed;
  }

  private html(webview: vscode.Webview, media: vscode.Uri, bundle: vscode.Uri): string {
    const nonce = crypto.randomBytes(16).toString('base64');
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} blob: data:`,
      'media-src blob:',
      `style-src ${webview.cspSource} 'nonce-${nonce}'`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    // The webview cannot reach vscode.l10n: its words come translated, in the page.
    const strings = translatePreviewStrings((english) => vscode.l10n.t(english));
    return `<!DOCTYPE html>
<html lang="${escapeAttribute(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${webview.asWebviewUri(vscode.Uri.joinPath(media, 'preview.css'))}">
<title>${escapeHtml(vscode.l10n.t('K230 Live Preview'))}</title>
</head>
<body>
<div id="root" data-strings="${escapeAttribute(JSON.stringify(strings))}"></div>
<script nonce="${nonce}" src="${webview.asWebviewUri(vscode.Uri.joinPath(bundle, 'preview.js'))}"></script>
</body>
</html>`;
  }

  private post(message: ToWebviewMessage): void {
    if (this.live) void this.panel?.webview.postMessage(message);
  }

  private async onMessage(m: FromWebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.live = true;
        this.sendState();
        this.post({ type: 'recording', ...this.recording.progress });
        await this.startFeeding();
        break;
      case 'request':
        await answer(m, this.handlers, (reply) => this.post(reply));
        break;
      case 'needKeyframe':
        this.log.info(`preview asks for a keyframe: ${m.reason}`);
        await this.connection.requestIdr();
        break;
      case 'playerError':
        this.log.error(`preview: ${m.message}`);
        void vscode.window.showErrorMessage(vscode.l10n.t('K230 preview: {0}', m.message));
        break;
      case 'stats':
        this.log.trace(`preview stats: ${JSON.stringify(m.stats)}`);
        if (m.stats.decodedFrames > 0) this.playing();
        break;
      default:
        unreachable(m);
    }
  }

  /** The webview's requests: each one's reply is what really happened. */
  private readonly handlers: Handlers<PanelRequests> = {
    applySettings: (settings) => this.applySettings(settings),
    snapshot: async ({ png }) => ({ savedAs: await this.saveSnapshot(png) }),
    toggleRecording: async () => {
      await vscode.commands.executeCommand(this.recording.active ? 'k230live.stopRecording' : 'k230live.startRecording');
      return { active: this.recording.active };
    },
  };

  /** A view that (re)appears starts from the running stream's init and a fresh IDR, or starts the stream. */
  private async startFeeding(): Promise<void> {
    const feed = this.followSession();
    if (!feed) return;
    const running = this.connection.board.streamInit !== undefined;
    await this.connection.want('preview');
    if (running) await feed.restart();
  }

  private onVisibility(visible: boolean): void {
    if (visible) return; // a reloaded view says 'ready' and is fed from there
    // Hidden: no fragments go to it; the stream stops unless a recording needs it.
    this.live = false;
    void this.connection.release('preview');
  }

  private onStateChanged(): void {
    this.followSession();
    this.sendState();
    if (this.live && this.connection.state === 'connected' && !this.connection.wants('preview')) {
      void this.startFeeding().catch((e) => this.fail(e));
    }
  }

  private sendState(): void {
    const c = this.connection;
    this.post({ type: 'board', state: c.state, boardName: c.info?.boardName, detail: c.stateDetail });
    this.post({
      type: 'settings',
      settings: previewSettings(c.streamSettings),
      maxWidth: c.info?.maxWidth ?? 1920,
      maxHeight: c.info?.maxHeight ?? 1080,
      maxFps: c.info?.maxFps ?? 60,
      display: c.info?.display ?? false,
    });
    this.feed?.feed.tellSources(); // with the state, what there is to show (a hidden view heard none of it)
  }

  /** Applies the panel's settings; returns what the stream now runs with, or throws why not. */
  private async applySettings(next: PreviewSettings): Promise<PreviewSettings> {
    const current = this.connection.streamSettings;
    const reshape = next.width !== current.width || next.height !== current.height || next.fps !== current.fps;
    if (reshape && this.recording.active) throw new UserError(vscode.l10n.t('stop the recording to change resolution or frame rate (bitrate changes live)'));
    await this.connection.applySettings({ ...current, ...next, source: SOURCES[next.source] });
    const s = this.connection.streamSettings;
    this.log.info(`preview settings: ${s.width}x${s.height} ${s.fps} fps ${s.bitrateKbps} kbps, source ${previewSettings(s).source}`);
    return previewSettings(s);
  }

  private fail(e: unknown): void {
    const message = (e as Error).message ?? String(e);
    this.log.error(message);
    void vscode.window.showErrorMessage(`K230: ${message}`);
  }
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text: string): string {
  return escapeHtml(text).replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const SOURCES: Record<SourceChoice, Source> = { camera: Source.Camera, display: Source.Display, follow: Source.Follow };

function previewSettings(s: StreamSettings): PreviewSettings {
  const source = s.source === Source.Camera ? 'camera' : s.source === Source.Display ? 'display' : 'follow';
  return { width: s.width, height: s.height, fps: s.fps, bitrateKbps: s.bitrateKbps, source };
}
