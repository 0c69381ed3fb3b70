// K230: Share Stream: the board's stream for other programs (OBS, VLC, ffmpeg, GStreamer, OpenCV)
// over RTSP and HTTP on this machine, started and stopped by one command, its clients counted; its
// message lists each URL, those with the sound and those with pictures only.
import * as vscode from 'vscode';
import { fitSound } from '../host/session/sound-fit';
import { shareStream, soundNote, type SharedStream } from '../host/stream-server/share';
import { AudioCodec } from '../protocol/messages';
import { BoardConnection } from './board-connection';
import { shareSettings } from './settings';

export class StreamSharing implements vscode.Disposable {
  private shared: SharedStream | undefined;
  private clients = 0;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly connection: BoardConnection, private readonly log: vscode.LogOutputChannel) {
    // The board went away: its clients are told (their connections close), and sharing ends with it.
    this.subscriptions = [connection.onLost(() => void this.stop())];
  }

  get active(): boolean {
    return this.shared !== undefined;
  }

  get clientCount(): number {
    return this.clients;
  }

  get urls(): SharedStream['urls'] {
    return this.shared?.urls ?? {};
  }

  /** every URL served, each saying whether it carries the sound */
  get all(): SharedStream['all'] {
    return this.shared?.all ?? [];
  }

  async start(): Promise<void> {
    if (this.shared) return this.showUrls();
    const s = shareSettings();
    const shared = await shareStream(this.connection.board, {
      rtspPort: s.rtspPort,
      httpPort: s.httpPort,
      listen: s.listen,
      clock: this.connection.clock,
      onClients: (n) => {
        this.clients = n;
        this.log.info(`sharing: ${n} client(s)`);
        this.changeEmitter.fire();
      },
    });
    this.shared = shared;
    try {
      await this.connection.want('share');
    } catch (e) {
      await this.stop();
      throw e;
    }
    this.log.info(`sharing the stream: ${shared.all.map((u) => `${u.url} (${soundNote(u)})`).join(' ')}`);
    if (shared.warning) {
      this.log.warn(shared.warning);
      void vscode.window.showWarningMessage(`K230: ${shared.warning}.`); // the host's words (src/host): English
    }
    this.changeEmitter.fire();
    await this.showUrls();
  }

  async stop(): Promise<void> {
    const shared = this.shared;
    if (!shared) return;
    this.shared = undefined;
    this.clients = 0;
    await shared.close();
    await this.connection.release('share').catch(() => undefined);
    this.log.info('stopped sharing the stream');
    this.changeEmitter.fire();
  }

  /** The URLs, those with sound first, then those with pictures only; a button to copy each RTSP and HTTP URL. */
  async showUrls(): Promise<void> {
    const { rtsp, http } = this.urls;
    const rtspVideo = this.all.find((u) => u.url.startsWith('rtsp:') && !u.sound)?.url;
    const copy: Record<string, string | undefined> = {
      [vscode.l10n.t('Copy RTSP URL')]: rtsp,
      [vscode.l10n.t('Copy RTSP URL (pictures only)')]: rtspVideo,
      [vscode.l10n.t('Copy HTTP URL')]: http,
    };
    const stop = vscode.l10n.t('Stop Sharing');
    const both = (urls: string[]) => (urls.length === 2 ? vscode.l10n.t('{0} and {1}', urls[0], urls[1]) : urls.join(', '));
    const camera = this.all.filter((u) => !u.display);
    const main = both(camera.filter((u) => u.sound).map((u) => u.url));
    const videoOnly = both(camera.filter((u) => !u.sound).map((u) => u.url));
    const info = this.connection.info;
    const streamSound = !!info && fitSound(this.connection.streamSettings, info).settings.audio !== AudioCodec.Off;
    const display = this.all.find((u) => u.display && u.sound && u.url.startsWith('rtsp:'))?.url;
    const message = (streamSound
      ? vscode.l10n.t('K230: sharing the stream at {0} (pictures and sound), and at {1} (pictures only).', main, videoOnly)
      : vscode.l10n.t('K230: sharing the stream at {0} and at {1}, pictures only: the stream has no sound.', main, videoOnly))
      + (display ? ` ${vscode.l10n.t('What a running script shows on its display: {0} (and -video for pictures only).', display)}` : '');
    const picked = await vscode.window.showInformationMessage(message, ...Object.keys(copy).filter((k) => copy[k]), stop);
    if (picked === stop) return this.stop();
    const url = picked && copy[picked];
    if (url) {
      await vscode.env.clipboard.writeText(url);
      void vscode.window.showInformationMessage(vscode.l10n.t('K230: copied {0}.', url));
    }
  }

  dispose(): void {
    this.subscriptions.forEach((d) => d.dispose());
    void this.stop();
  }
}
