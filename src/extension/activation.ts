// K230 Live's entry point (package.json "main"). VS Code starts it in every window once the window
// has opened (onStartupFinished), so that auto-connect works with no command run. Only where a board
// is waited for (a remembered port, k230live.autoConnect on) is the extension loaded then; elsewhere
// this file stands in for it, and the first command or restored preview loads it.
// docs/first-run.md has what each costs.
import * as vscode from 'vscode';
import type * as K230Live from './extension';

/** The extension itself: dist/extension.js, a bundle of its own, read only when it is needed. */
function load(context: vscode.ExtensionContext): ReturnType<typeof K230Live.activate> {
  const extension = require('./extension.js') as typeof K230Live;
  return extension.activate(context);
}

export function activate(context: vscode.ExtensionContext): void {
  const config = vscode.workspace.getConfiguration('k230live');
  if (config.get<boolean>('autoConnect', true) && config.get<string>('port')) {
    load(context);
    return;
  }
  // Stand-ins for every command and for the preview's serializer: the first one used loads the
  // extension (which registers the real ones) and hands its call on.
  let stand: vscode.Disposable | undefined;
  const loadNow = () => {
    stand?.dispose();
    stand = undefined;
    return load(context);
  };
  const commands = (context.extension.packageJSON.contributes?.commands ?? []) as { command: string }[];
  stand = vscode.Disposable.from(
    ...commands.map(({ command }) =>
      vscode.commands.registerCommand(command, (...args: unknown[]) => {
        loadNow();
        return vscode.commands.executeCommand(command, ...args);
      }),
    ),
    // PREVIEW_VIEW_TYPE of preview-panel.ts, which is not imported here: it would bring the extension with it
    vscode.window.registerWebviewPanelSerializer('k230live.preview', {
      deserializeWebviewPanel: async (panel) => loadNow().restorePreview(panel),
    }),
  );
  context.subscriptions.push({ dispose: () => stand?.dispose() });
}

export function deactivate(): void {}
