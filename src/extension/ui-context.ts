// The extension's state as context keys, so that every command, menu item and view action is shown
// and enabled only where it can do something (package.json's `when` and `enablement` clauses).
import * as vscode from 'vscode';
import { BoardConnection } from './board-connection';
import type { ScriptRunner } from './script-runner';
import type { StreamSharing } from './stream-sharing';
import type { WorkspaceRecording } from './workspace-recording';

interface UiState {
  /** a port is chosen: connected, or waiting for its board (Disconnect stops either) */
  'k230live.linked': boolean;
  /** a board answers (connected or streaming) */
  'k230live.connected': boolean;
  /** the connected board has storage (a /sdcard) */
  'k230live.storage': boolean;
  /** the board records into its own storage */
  'k230live.boardRecording': boolean;
  /** a recording into the workspace runs */
  'k230live.recording': boolean;
  /** K230: Share Stream serves the stream */
  'k230live.sharing': boolean;
  /** the connected board runs the user's scripts (a stock CanMV board) */
  'k230live.scripts': boolean;
  /** the connected board runs no scripts (the C agent): Run is not offered */
  'k230live.noScripts': boolean;
  /** a script of the user's runs on the board */
  'k230live.scriptRunning': boolean;
  /** this package carries no simulated board that runs here (a key that is true only once known,
   * so that Start Simulated Board shows before K230 Live is activated) */
  'k230live.noSimulator': boolean;
}

interface UiParts {
  connection: BoardConnection;
  recording: WorkspaceRecording;
  sharing: StreamSharing;
  scripts: ScriptRunner;
  simulator: boolean;
}

function uiState({ connection, recording, sharing, scripts, simulator }: UiParts): UiState {
  const connected = connection.state === 'connected' || connection.state === 'streaming';
  return {
    'k230live.linked': connection.port !== undefined,
    'k230live.connected': connected,
    'k230live.storage': connected && connection.info?.storage === true,
    'k230live.boardRecording': connected && connection.boardRecording?.active === true,
    'k230live.recording': recording.active,
    'k230live.sharing': sharing.active,
    'k230live.scripts': connected && connection.info?.scripts === true,
    'k230live.noScripts': connected && connection.info?.scripts === false,
    'k230live.scriptRunning': scripts.running,
    'k230live.noSimulator': !simulator,
  };
}

/** Keeps the context keys equal to uiState, setting only those that changed. */
export function syncUiContext(parts: UiParts): vscode.Disposable {
  const { connection, recording, sharing, scripts } = parts;
  const set: Partial<Record<keyof UiState, boolean>> = {};
  const sync = () => {
    const next = uiState(parts);
    for (const key of Object.keys(next) as (keyof UiState)[]) {
      if (set[key] === next[key]) continue;
      set[key] = next[key];
      void vscode.commands.executeCommand('setContext', key, next[key]);
    }
  };
  const subscriptions = [connection.onDidChangeState(sync), connection.onBoardRecording(sync), recording.onDidChange(sync), sharing.onDidChange(sync), scripts.onDidChange(sync)];
  sync();
  return vscode.Disposable.from(...subscriptions);
}
