// K230: Open REPL: the board's friendly REPL in a terminal, keys straight to the board (history,
// Ctrl+C and Ctrl+D are the board's own). K230 Live lets go of the port while it is open and
// connects again when it is closed.
import * as vscode from 'vscode';
import { openRepl, ReplLink } from '../host/board/open-repl';

export class ReplTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private repl: ReplLink | undefined;

  constructor(
    private readonly portPath: string,
    /** the port is free again: K230 Live takes it back */
    private readonly onClosed: () => void,
  ) {}

  async open(): Promise<void> {
    try {
      this.repl = await openRepl(this.portPath);
    } catch (e) {
      this.writeEmitter.fire(`\x1b[31m${(e as Error).message}\x1b[0m\r\n`);
      this.closeEmitter.fire();
      this.onClosed();
      return;
    }
    this.writeEmitter.fire(this.repl.greeting);
    this.repl.port.on('data', (b: Buffer) => this.writeEmitter.fire(b.toString('utf8')));
    this.repl.port.once('close', () => this.closeEmitter.fire());
  }

  handleInput(data: string): void {
    this.repl?.port.write(Buffer.from(data, 'utf8'));
  }

  close(): void {
    const repl = this.repl;
    this.repl = undefined;
    void (repl ? repl.close() : Promise.resolve()).then(() => this.onClosed());
  }
}
