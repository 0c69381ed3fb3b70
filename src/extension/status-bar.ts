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
    this.board.name = 'K230 board';
    this.share.name = 'K230 stream sharing';
    this.record.name = 'K230 recording';
    this.boardRecord.name = 'K230 board recording';
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
    this.board.text = c.inUseElsewhere ? `$(lock) ${name}: in another window` : `${icons[c.state]} ${name}: ${c.state}`;
    this.board.tooltip = c.stateDetail ?? (c.port ? `${name} on ${c.port}` : 'No board connected');
    this.board.command = c.state === 'disconnected' ? 'k230live.connect' : 'k230live.openPreview';
    this.board.backgroundColor = c.stateDetail && !c.inUseElsewhere ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.shown ||= c.state === 'connected' || c.state === 'streaming' || c.inUseElsewhere;
    if (this.shown) this.board.show();

    const p = this.recording.progress;
    if (p.active) {
      this.record.text = `$(debug-stop) REC ${formatDuration(p.elapsedS)} ${formatBytes(p.bytes)}`;
      this.record.tooltip = 'Stop recording';
      this.record.command = 'k230live.stopRecording';
      this.record.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    } else {
      this.record.text = '$(record) Record';
      this.record.tooltip = 'Record the board’s stream into the workspace';
      this.record.command = 'k230live.startRecording';
      this.record.backgroundColor = undefined;
    }
    if (c.state === 'disconnected' && !p.active) this.record.hide();
    else this.record.show();

    const b = c.boardRecording;
    if (b?.active && c.state !== 'disconnected') {
      this.boardRecord.text = `$(circle-filled) Board REC ${formatDuration(b.elapsedS)} ${formatBytes(b.bytes)}`;
      this.boardRecord.tooltip = `Recording on the board into ${b.path}; click to stop`;
      this.boardRecord.command = 'k230live.stopBoardRecording';
      this.boardRecord.show();
    } else {
      this.boardRecord.hide();
    }

    if (this.sharing.active) {
      const n = this.sharing.clientCount;
      this.share.text = `$(broadcast) ${n} client${n === 1 ? '' : 's'}`;
      this.share.tooltip = `Sharing the stream: ${Object.values(this.sharing.urls).join(' and ')}; click for the URLs`;
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
