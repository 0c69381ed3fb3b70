// K230 Live in VS Code: thin glue from commands, views and settings to src/host.
import * as vscode from 'vscode';
import type { SimulatedBoard } from '../host/simulated-board';
import { BoardConnection } from './board-connection';
import { registerBoardStorage } from './board-storage';
import { pickPort, SIMULATOR_CHOICES } from './port-picker';
import { PREVIEW_VIEW_TYPE, PreviewPanel } from './preview-panel';
import { autoConnect, savedPort, savePort, streamSettings } from './settings';
import { launchSimulatedBoard, SIMULATED_PORT } from './simulated-board';
import { saveSnapshot } from './snapshot';
import { BoardStatusBar } from './status-bar';
import { StreamSharing } from './stream-sharing';
import { recordingFileName, WorkspaceRecording } from './workspace-recording';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('K230 Live', { log: true });
  const connection = new BoardConnection(log, streamSettings());
  const recording = new WorkspaceRecording(connection, log);
  const preview = new PreviewPanel(context.extensionUri, connection, recording, log, (png) =>
    saveSnapshot(png, recordingFileName(connection.info?.boardName ?? 'board', new Date()).replace(/\.mp4$/, '.png'), log),
  );
  const sharing = new StreamSharing(connection, log);
  let simulator: SimulatedBoard | undefined;

  const command = <A extends unknown[]>(id: string, run: (...args: A) => Promise<unknown>) =>
    vscode.commands.registerCommand(id, (...args: A) =>
      run(...args).catch((e: Error) => {
        log.error(`${id}: ${e.message}`);
        void vscode.window.showErrorMessage(`K230: ${e.message}`);
      }),
    );

  const connect = async (port: string) => {
    const info = await connection.connect(port);
    void vscode.window.showInformationMessage(`K230: connected to ${info.boardName} on ${port}.`);
  };

  /** kind 'stock' (scripts, tests) or 'agent' skips the quick pick of the two boards */
  const startSimulator = async (kind?: 'agent' | 'stock') => {
    const stock = kind ? kind === 'stock' : (await vscode.window.showQuickPick([...SIMULATOR_CHOICES], { title: 'K230: Start Simulated Board' }))?.choice.stock;
    if (stock === undefined) return;
    await connection.disconnect();
    await simulator?.stop();
    simulator = await launchSimulatedBoard(context.extensionUri, log, stock);
    await connect(SIMULATED_PORT);
  };

  const syncRecordingContext = () => void vscode.commands.executeCommand('setContext', 'k230live.recording', recording.active);

  context.subscriptions.push(
    log,
    connection,
    recording,
    preview,
    sharing,
    new BoardStatusBar(connection, recording, sharing),
    recording.onDidChange(syncRecordingContext),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('k230live') && !recording.active) void connection.applySettings(streamSettings()).catch(() => undefined);
    }),
    command('k230live.connect', async (portPath?: string) => {
      // A port given as an argument (scripts, tests, keybindings) skips the quick pick.
      const choice = portPath ? { kind: 'port' as const, path: portPath } : await pickPort(savedPort());
      if (!choice) return;
      if (choice.kind === 'simulator') return startSimulator(choice.stock ? 'stock' : 'agent');
      await connect(choice.path);
      await savePort(choice.path);
    }),
    command('k230live.disconnect', async () => {
      await recording.stop();
      await sharing.stop();
      await connection.disconnect();
    }),
    command('k230live.startSimulatedBoard', startSimulator),
    command('k230live.openPreview', async () => preview.show()),
    command('k230live.startRecording', async () => {
      if (connection.state === 'disconnected') await vscode.commands.executeCommand('k230live.connect');
      if (connection.state !== 'disconnected') await recording.start();
    }),
    command('k230live.stopRecording', () => recording.stop()),
    command('k230live.shareStream', async () => {
      if (connection.state === 'disconnected') await vscode.commands.executeCommand('k230live.connect');
      if (connection.state !== 'disconnected') await sharing.start();
    }),
    command('k230live.stopSharing', () => sharing.stop()),
    ...registerBoardStorage(connection, log, command),
    { dispose: () => void simulator?.stop() },
  );
  syncRecordingContext();
  log.info(`K230 Live activated; preview view type ${PREVIEW_VIEW_TYPE}`);

  const port = savedPort();
  if (autoConnect() && port) connection.connectWhenAvailable(port);
}

export function deactivate(): void {}
