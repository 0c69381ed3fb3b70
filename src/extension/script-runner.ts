// Run File on Board: the editor's text (saved or not) runs on the connected stock board under the
// file's own name, its output in a terminal, its failing line marked in the editor until the next
// run. Stop raises KeyboardInterrupt, then soft-resets the board after 2 s (src/host/script).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeEnding, ScriptResult, ScriptRun } from '../host/script/script-run';
import { ScriptEnd } from '../protocol/messages';
import { BoardConnection } from './board-connection';
import { ScriptTerminal } from './script-terminal';

export class ScriptRunner implements vscode.Disposable {
  private run: ScriptRun | undefined;
  private terminal: { pty: ScriptTerminal; view: vscode.Terminal } | undefined;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('k230live');
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** a script started or ended */
  readonly onDidChange = this.changeEmitter.event;

  constructor(
    private readonly connection: BoardConnection,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get running(): boolean {
    return this.run?.running === true;
  }

  /** Runs `document` (the active editor's when none is given); a script already running is stopped first. */
  async runFile(document: vscode.TextDocument | undefined): Promise<void> {
    if (!document) throw new Error(vscode.l10n.t('open a Python file to run it on the board'));
    if (this.connection.state === 'disconnected') await vscode.commands.executeCommand('k230live.connect');
    const session = this.connection.board;
    if (this.run?.running) await this.run.stop();
    this.diagnostics.clear();
    const name = document.isUntitled ? 'untitled.py' : path.basename(document.fileName);
    const pty = this.showTerminal();
    // Each run starts on a clean terminal: its own output, from the top.
    pty.write(`\x1b[2J\x1b[3J\x1b[H\x1b[2m▶ ${name} on ${session.info?.boardName ?? 'the board'}\x1b[0m\n`);
    const run = await ScriptRun.start(session, name, document.getText(), {
      output: (text) => pty.write(text),
      lost: (bytes) => pty.write(`\n\x1b[33m[${bytes} bytes of output lost on the board]\x1b[0m\n`),
    });
    this.run = run;
    pty.input = { line: (text) => void run.input(text).catch(() => undefined), interrupt: () => void this.stop() };
    this.changeEmitter.fire();
    this.log.info(`running ${name}`);
    void run.ended.then((r) => this.ended(run, r, document, pty));
  }

  async stop(): Promise<void> {
    await this.run?.stop();
  }

  private ended(run: ScriptRun, r: ScriptResult, document: vscode.TextDocument, pty: ScriptTerminal): void {
    if (pty.input && this.run === run) pty.input = undefined;
    if (r.how === ScriptEnd.Exception && r.traceback) pty.write(`\x1b[31m${r.traceback}\x1b[0m`);
    const how = describeEnding(r);
    pty.write(`\n\x1b[2m■ ${run.name} ${how}\x1b[0m\n`);
    this.log.info(`${run.name} ${how}`);
    if (r.how === ScriptEnd.Exception && r.line > 0 && r.line <= document.lineCount) {
      const line = document.lineAt(r.line - 1);
      const message = r.traceback.trim().split('\n').pop() ?? 'exception';
      const d = new vscode.Diagnostic(line.range.with(line.range.start.translate(0, line.firstNonWhitespaceCharacterIndex)), message, vscode.DiagnosticSeverity.Error);
      d.source = 'K230';
      this.diagnostics.set(document.uri, [d]);
    }
    this.changeEmitter.fire();
  }

  private showTerminal(): ScriptTerminal {
    if (!this.terminal || this.terminal.pty.closed) {
      const pty = new ScriptTerminal();
      this.terminal = { pty, view: vscode.window.createTerminal({ name: vscode.l10n.t('K230 Script'), pty, iconPath: new vscode.ThemeIcon('play') }) };
    }
    this.terminal.view.show(true);
    return this.terminal.pty;
  }

  dispose(): void {
    void this.run?.stop();
    this.terminal?.view.dispose();
    this.diagnostics.dispose();
    this.changeEmitter.dispose();
  }
}
