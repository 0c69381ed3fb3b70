// Record in the editor: the board's stream, byte for byte, into recordings/<board>-<time>.mp4.
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import { remuxToFaststart } from '../host/media-tools/remux';
import { Mp4Recorder, RecordingSummary } from '../host/recording/mp4-recorder';
import { Source } from '../protocol/messages';
import type { AudioChunk, Fragment, InitSegment, SourcesNow } from '../host/session/board-session';
import { BoardConnection } from './board-connection';
import { recordingContainer, recordingsFolder } from './settings';
import { LocalTarget, WorkspaceFiles } from './workspace-files';

export interface RecordingProgress {
  active: boolean;
  elapsedS: number;
  bytes: number;
}

/** A file name from a board name and a time, safe on every OS whatever the board calls itself. */
export function recordingFileName(boardName: string, at: Date): string {
  const safe = boardName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 40) || 'board';
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}-${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
  return `${safe}-${stamp}.mp4`;
}

export class WorkspaceRecording implements vscode.Disposable {
  private recorder: Mp4Recorder | undefined;
  private uri: vscode.Uri | undefined;
  private target: LocalTarget | undefined;
  private startedAtMs = 0;
  private lastProgressMs = 0;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly progressEmitter = new vscode.EventEmitter<RecordingProgress>();
  readonly onDidChange = this.progressEmitter.event;

  constructor(
    private readonly connection: BoardConnection,
    private readonly files: WorkspaceFiles,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get active(): boolean {
    return this.recorder !== undefined;
  }

  get progress(): RecordingProgress {
    const r = this.recorder;
    return { active: !!r, elapsedS: r ? (performance.now() - this.startedAtMs) / 1000 : 0, bytes: r?.byteCount ?? 0 };
  }

  async start(): Promise<void> {
    if (this.recorder) return;
    const info = this.connection.info;
    if (!info) throw new Error(vscode.l10n.t('connect to a board first (K230: Connect)'));
    const dir = recordingsFolder(vscode.l10n.t('recordings are saved into the workspace'));
    await vscode.workspace.fs.createDirectory(dir);
    this.uri = vscode.Uri.joinPath(dir, recordingFileName(info.boardName, new Date()));
    this.target = this.files.target(this.uri);
    const recorder = Mp4Recorder.create(this.target.path, this.connection.streamSettings.fps);
    this.recorder = recorder;
    this.startedAtMs = performance.now();
    const guard = (run: () => void) => {
      try {
        run();
      } catch (e) {
        void this.stop(vscode.l10n.t('recording stopped: {0}', (e as Error).message));
      }
    };
    const session = this.connection.board;
    // One file, one source: the script's display coming or going ends a recording of the other.
    let source: InitSegment['source'] | undefined;
    const sourceGone = () =>
      void this.stop(source === Source.Display ? vscode.l10n.t('recording stopped: the script\'s display ended') : vscode.l10n.t('recording stopped: the stream turned to the script\'s display'));
    const onInit = (init: InitSegment) => {
      if (source !== undefined && init.source !== source) return sourceGone();
      source = init.source;
      guard(() => recorder.writeInit(init));
    };
    const onSources = (now: SourcesNow) => {
      if (source !== undefined && now.live !== source) sourceGone();
    };
    const onFragment = (f: Fragment) =>
      guard(() => {
        recorder.writeFragment(f);
        this.reportProgress(false);
      });
    const onAudio = (c: AudioChunk) => guard(() => recorder.writeAudio(c));
    const onLoss = () => recorder.markLoss();
    session.on('init', onInit).on('fragment', onFragment).on('audio', onAudio).on('loss', onLoss).on('sources', onSources);
    this.subscriptions.push(
      { dispose: () => session.off('init', onInit).off('fragment', onFragment).off('audio', onAudio).off('loss', onLoss).off('sources', onSources) },
      this.connection.onLost((reason) => void this.stop(vscode.l10n.t('recording stopped: {0}', reason))),
    );
    const running = session.streamInit;
    if (running) {
      // Joining a running stream: its init now, and the picture from the very next frame.
      source = running.source;
      recorder.writeInit(running);
      await this.connection.want('recording');
      await this.connection.requestIdr();
    } else {
      await this.connection.want('recording');
    }
    this.log.info(`recording into ${this.uri.toString(true)}${this.target.path === this.uri.fsPath ? '' : ` (staged at ${this.target.path})`}`);
    this.reportProgress(true);
  }

  /** Ends the recording; with a reason, because something went wrong (the file is kept either way). */
  async stop(reason?: string): Promise<RecordingSummary | undefined> {
    const recorder = this.recorder;
    if (!recorder) return undefined;
    this.recorder = undefined;
    this.subscriptions.splice(0).forEach((d) => d.dispose());
    const summary = recorder.close();
    await this.connection.release('recording').catch(() => undefined);
    if (recordingContainer() === 'faststart' && summary.frames > 0) await this.makeFaststart(this.target!.path);
    await this.target!.land();
    this.reportProgress(true);
    const name = vscode.workspace.asRelativePath(this.uri!);
    const what = vscode.l10n.t('{0} ({1} frames, {2} s, {3} MB)', name, summary.frames, summary.durationS.toFixed(1), (summary.bytes / 1048576).toFixed(1));
    this.log.info(`recording saved: ${what}${reason ? `; ${reason}` : ''}`);
    if (reason) void vscode.window.showWarningMessage(vscode.l10n.t('K230: {0}. Saved {1}; it plays.', reason, what));
    else void vscode.window.showInformationMessage(vscode.l10n.t('K230: saved {0}.', what));
    await vscode.commands.executeCommand('revealInExplorer', this.uri);
    return summary;
  }

  /** The fragmented file, remuxed (not re-encoded) to moov-first; the original stays if that fails. */
  private async makeFaststart(file: string): Promise<void> {
    const tmp = `${file}.faststart.mp4`;
    try {
      await remuxToFaststart(file, tmp);
      fs.renameSync(tmp, file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      this.log.warn(`kept the fragmented MP4: faststart remux failed: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    void this.stop();
    this.progressEmitter.dispose();
  }

  private reportProgress(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastProgressMs < 500) return;
    this.lastProgressMs = now;
    this.progressEmitter.fire(this.progress);
  }
}

