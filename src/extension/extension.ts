// K230 Live in VS Code: thin glue from commands, views and settings to src/host.
import * as vscode from 'vscode';
import type { SimulatedBoard } from '../simulators/start-simulated-board';
import { BoardConnection } from './board-connection';
import { registerBoardStorage } from './board-storage';
import { pickPort, simulatorChoices } from './port-picker';
import { PREVIEW_VIEW_TYPE, PreviewPanel } from './preview-panel';
import { autoConnect, previewOnAutoConnect, savedPort, savePort, streamSettings } from './settings';
import { PortClaims } from './port-claim';
import { checkSimulator, launchSimulatedBoard, SIMULATED_PORT, simulatorAvailable } from './simulated-board';
import { ReplTerminal } from './repl-terminal';
import { ScriptRunner } from './script-runner';
import { saveSnapshot } from './snapshot';
import { BoardStatusBar } from './status-bar';
import { StreamSharing } from './stream-sharing';
import { syncUiContext } from './ui-context';
import { Walkthrough } from './walkthrough';
import { WorkspaceFiles } from './workspace-files';
import { recordingFileName, WorkspaceRecording } from './workspace-recording';

/** What activation.ts may still hand over: a preview VS Code restores, which made it load the extension. */
export interface K230LiveHandover {
  restorePreview(panel: vscode.WebviewPanel): void;
}

export function activate(context: vscode.ExtensionContext): K230LiveHandover {
  const log = vscode.window.createOutputChannel('K230 Live', { log: true });
  const walkthrough = new Walkthrough(context.extension.id, log);
  // Every window of this machine sees the claims: one window owns a port at a time.
  const claims = new PortClaims(vscode.Uri.joinPath(context.globalStorageUri, 'claims').fsPath);
  const connection = new BoardConnection(log, streamSettings(), claims);
  const workspaceFiles = new WorkspaceFiles(vscode.Uri.joinPath(context.globalStorageUri, 'staging'));
  const recording = new WorkspaceRecording(connection, workspaceFiles, log);
  const preview = new PreviewPanel(
    context.extensionUri,
    connection,
    recording,
    log,
    (png) => saveSnapshot(png, recordingFileName(connection.info?.boardName ?? 'board', new Date()).replace(/\.mp4$/, '.png'), log),
    () => walkthrough.done('preview'),
  );
  const sharing = new StreamSharing(connection, log);
  const scripts = new ScriptRunner(connection, log);
  let simulator: SimulatedBoard | undefined;

  const statusBar = new BoardStatusBar(connection, recording, sharing);
  const command = <A extends unknown[]>(id: string, run: (...args: A) => Promise<unknown>) =>
    vscode.commands.registerCommand(id, (...args: A) => {
      statusBar.used(); // the board's item shows from the first use on
      return run(...args).catch((e: Error) => {
        log.error(`${id}: ${e.message}`);
        void vscode.window.showErrorMessage(`K230: ${e.message}`);
      });
    });

  const connect = async (port: string) => {
    const info = await connection.connect(port);
    void vscode.window.showInformationMessage(vscode.l10n.t('K230: connected to {0} on {1}.', info.boardName, port));
  };

  /** Sharing ends with the link; the person is told, and how many clients it cut off. */
  const stopSharing = async () => {
    if (!sharing.active) return;
    const clients = sharing.clientCount;
    await sharing.stop();
    void vscode.window.showInformationMessage(
      clients === 1 ? vscode.l10n.t('K230: stopped sharing the stream (1 client).') : vscode.l10n.t('K230: stopped sharing the stream ({0} clients).', clients),
    );
  };

  /** The simulated board this window started ends when it is let go: a board it did not start (a
   * real one, the demo's) is only disconnected. */
  const endSimulator = async () => {
    const ending = simulator;
    simulator = undefined;
    await ending?.stop();
  };

  /** kind 'stock' (scripts, tests) or 'agent' skips the quick pick of the two boards. The board
   * connected so far is let go (and ends, if this window started it); one notice says what now runs. */
  const startSimulator = async (kind?: 'agent' | 'stock') => {
    const stock = kind ? kind === 'stock' : (await vscode.window.showQuickPick(simulatorChoices(), { title: vscode.l10n.t('K230: Start Simulated Board') }))?.choice.stock;
    if (stock === undefined) return;
    checkSimulator(context.extensionUri, stock); // the board connected so far stays when none can start
    await connection.disconnect();
    await endSimulator();
    simulator = await launchSimulatedBoard(context.extensionUri, log, stock);
    await connect(SIMULATED_PORT);
    walkthrough.done('simulator');
  };

  context.subscriptions.push(
    log,
    connection,
    recording,
    preview,
    sharing,
    statusBar,
    scripts,
    syncUiContext({ connection, recording, sharing, scripts, simulator: simulatorAvailable(context.extensionUri) }),
    connection.onDidChangeState(() => connection.connected && walkthrough.done('connect')),
    recording.onDidChange(() => recording.active && walkthrough.done('record')),
    scripts.onDidChange(() => scripts.running && walkthrough.done('runScript')),
    vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => preview.restore(panel),
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('k230live') && !recording.active) void connection.applySettings(streamSettings()).catch(() => undefined);
    }),
    command('k230live.connect', async (portPath?: string) => {
      // A port given as an argument (scripts, tests, keybindings) skips the quick pick.
      const choice = portPath ? { kind: 'port' as const, path: portPath } : await pickPort(savedPort(), connection.connected && connection.port);
      if (!choice) return;
      if (choice.kind === 'simulator') return startSimulator(choice.stock ? 'stock' : 'agent');
      try {
        await connect(choice.path);
      } finally {
        if (connection.port !== SIMULATED_PORT) await endSimulator(); // unless the connect was refused before anything changed
      }
      await savePort(choice.path);
    }),
    command('k230live.disconnect', async () => {
      await recording.stop();
      await stopSharing();
      await connection.disconnect();
      await endSimulator();
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
    command('k230live.runFile', async (uri?: vscode.Uri) => {
      const document = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
      await scripts.runFile(document);
    }),
    command('k230live.stopScript', () => scripts.stop()),
    command('k230live.openRepl', async () => {
      const port = connection.port ?? savedPort();
      if (!port) throw new Error(vscode.l10n.t('connect to a board first (K230: Connect)'));
      if (connection.info && !connection.info.scripts) throw new Error(vscode.l10n.t('this board runs the K230 SDK agent, which has no MicroPython REPL'));
      await recording.stop();
      await stopSharing();
      await connection.disconnect();
      const pty = new ReplTerminal(port, () => void connection.connect(port).catch((e: Error) => log.warn(`after the REPL: ${e.message}`)));
      vscode.window.createTerminal({ name: vscode.l10n.t('K230 REPL'), pty, iconPath: new vscode.ThemeIcon('terminal') }).show();
    }),
    ...registerBoardStorage(connection, workspaceFiles, log, command),
    { dispose: () => void endSimulator() },
  );
  log.info(`K230 Live activated; preview view type ${PREVIEW_VIEW_TYPE}`);

  const port = savedPort();
  if (autoConnect() && port) connection.connectWhenAvailable(port, () => previewOnAutoConnect() && preview.show());
  return { restorePreview: (panel) => preview.restore(panel) };
}

export function deactivate(): void {}
