// The status bar: the board and its state, and a Record / Stop item with elapsed time and size.
import * as vscode from 'vscode';
import { formatBytes, formatDuration } from '../shared/format';
import { BoardConnection } from './board-connection';
import type { StreamSharing } from './stream-sharing';
import { WorkspaceRecording } from './workspace-recording';

export class BoardStatusBar implements vscode.Disposable {
  private readonly board = vscode.window.createStatusBarItem('k230live.board', vscode.StatusBarAlignment.Left, 50);
  private readonly record = vscode.window.createStatusBarItem('k230live.record', vscode.StatusBarAlignment.Left, 49);
  private readonly boardRecord = vscode.window.createStatusBarItem('k230live.boardRecord', vscode.StatusBarAlignment.Left, 48);
  private readonly share = vscode.window.createStatusBarItem('k230live.share', vscode.StatusBarAlignment.Left, 47);
  private readonly subscriptions: vscode.Disposable[];
  /** a board has been seen, or a command used: until then the item stays out of the way */
  private shown = false;

  constructor(
    private readonly connection: BoardConnection,
    private readonly recording: WorkspaceRecording,
    private readonly sharing: StreamSharing,
  ) {
    this.board.name = vscode.l10n.t('K230 board');
    this.share.name = vscode.l10n.t('K230 stream sharing');
    this.record.name = vscode.l10n.t('K230 recording');
    this.boardRecord.name = vscode.l10n.t('K230 board recording');
    this.subscriptions = [
      connection.onDidChangeState(() => this.update()),
      recording.onDidChange(() => this.update()),
      connection.onBoardRecording(() => this.update()),
      sharing.onDidChange(() => this.update()),
    ];
    this.update();
  }

  /** A K230 command ran: from now on the board's item shows. */
  used(): void {
    this.shown = true;
    this.update();
  }

  private update(): void {
    const c = this.connection;
    const name = c.info?.boardName ?? 'K230';
    const icons = { disconnected: '$(debug-disconnect)', connecting: '$(sync~spin)', connected: '$(plug)', streaming: '$(device-camera-video)' };
    const states = {
      disconnected: vscode.l10n.t('{0}: disconnected', name),
      connecting: vscode.l10n.t('{0}: connecting', name),
      connected: vscode.l10n.t('{0}: connected', name),
      streaming: vscode.l10n.t('{0}: streaming', name),
    };
    this.board.text = c.inUseElsewhere ? `$(lock) ${vscode.l10n.t('{0}: in another window', name)}` : `${icons[c.state]} ${states[c.state]}`;
    this.board.tooltip = c.stateDetail ?? (c.port ? vscode.l10n.t('{0} on {1}', name, c.port) : vscode.l10n.t('No board connected'));
    this.board.command = c.state === 'disconnected' ? 'k230live.connect' : 'k230live.openPreview';
    this.board.backgroundColor = c.stateDetail && !c.inUseElsewhere ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.shown ||= c.state === 'connected' || c.state === 'streaming' || c.inUseElsewhere;
    if (this.shown) this.board.show();

    const p = this.recording.progress;
    if (p.active) {
      this.record.text = `$(debug-stop) ${vscode.l10n.t('REC {0} {1}', formatDuration(p.elapsedS), formatBytes(p.bytes))}`;
      this.record.tooltip = vscode.l10n.t('Stop recording');
      this.record.command = 'k230live.stopRecording';
      this.record.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    } else {
      this.record.text = `$(record) ${vscode.l10n.t('Record')}`;
      this.record.tooltip = vscode.l10n.t('Record the board’s stream into the workspace');
      this.record.command = 'k230live.startRecording';
      this.record.backgroundColor = undefined;
    }
    if (c.state === 'disconnected' && !p.active) this.record.hide();
    else this.record.show();

    const b = c.boardRecording;
    if (b?.active && c.state !== 'disconnected') {
      this.boardRecord.text = `$(circle-filled) ${vscode.l10n.t('Board REC {0} {1}', formatDuration(b.elapsedS), formatBytes(b.bytes))}`;
      this.boardRecord.tooltip = vscode.l10n.t('Recording on the board into {0}; click to stop', b.path);
      this.boardRecord.command = 'k230live.stopBoardRecording';
      this.boardRecord.show();
    } else {
      this.boardRecord.hide();
    }

    if (this.sharing.active) {
      const n = this.sharing.clientCount;
      this.share.text = `$(broadcast) ${n === 1 ? vscode.l10n.t('{0} client', n) : vscode.l10n.t('{0} clients', n)}`;
      this.share.tooltip = vscode.l10n.t('Sharing the stream: {0}; click for the URLs', Object.values(this.sharing.urls).join(' · '));
      this.share.command = 'k230live.shareStream';
      this.share.show();
    } else {
      this.share.hide();
    }
  }

  dispose(): void {
    this.subscriptions.forEach((d) => d.dispose());
    this.share.dispose();
    this.board.dispose();
    this.record.dispose();
    this.boardRecord.dispose();
  }
}
