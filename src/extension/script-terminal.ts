// The terminal of the user's script: what it prints, as it comes; a line typed there goes to its
// input() when Enter is pressed (echoed and editable until then); Ctrl+C stops it.
import * as vscode from 'vscode';

export interface ScriptTerminalInput {
  /** a line the person typed, with its newline */
  line(text: string): void;
  /** Ctrl+C */
  interrupt(): void;
}

export class ScriptTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  /** what is typed and not yet sent */
  private typed = '';
  private opened = false;
  private readonly pending: string[] = [];
  /** the run that reads what is typed; none between runs */
  input: ScriptTerminalInput | undefined;
  closed = false;

  open(): void {
    this.opened = true;
    for (const text of this.pending.splice(0)) this.writeEmitter.fire(text);
  }

  close(): void {
    this.closed = true;
    this.input?.interrupt();
  }

  /** The script's output (or our own lines): a terminal wants CR LF. */
  write(text: string): void {
    const out = text.replace(/\r?\n/g, '\r\n');
    if (this.opened) this.writeEmitter.fire(out);
    else this.pending.push(out);
  }

  handleInput(data: string): void {
    for (const ch of data) {
      if (ch === '\x03') {
        this.typed = '';
        this.input?.interrupt();
      } else if (ch === '\r') {
        this.writeEmitter.fire('\r\n');
        const line = `${this.typed}\n`;
        this.typed = '';
        this.input?.line(line);
      } else if (ch === '\x7f' || ch === '\b') {
        if (!this.typed) continue;
        this.typed = [...this.typed].slice(0, -1).join('');
        this.writeEmitter.fire('\b \b');
      } else if (ch >= ' ') {
        this.typed += ch;
        this.writeEmitter.fire(ch);
      }
    }
  }
}
