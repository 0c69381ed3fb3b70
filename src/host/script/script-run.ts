// The user's script on the board, from the host's side: started under its file name, its output
// decoded as it comes (UTF-8 split across messages stays whole), input sent to it, and Stop:
// KeyboardInterrupt first, a soft reset when it has not ended within STOP_GRACE_MS.
import { ScriptEnd } from '../../protocol/messages';
import { UserError } from '../../shared/user-error';
import type { BoardSession, ScriptEnding } from '../session/board-session';

/** How long a script may take to end after KeyboardInterrupt before it is ended by force. */
export const STOP_GRACE_MS = 2000;
/** After force, how long before the script is given up as beyond reach and the link let go. */
const FORCE_GRACE_MS = 3000;

export interface ScriptOutputSink {
  /** what the script printed, decoded, in order */
  output(text: string): void;
  /** `bytes` of output were lost before what comes next: said where it happened, never silent */
  lost?(bytes: number): void;
}

export interface ScriptResult extends ScriptEnding {
  /** the link ended while the script ran: why, in one line */
  linkLost?: string;
}

export class ScriptRun {
  readonly ended: Promise<ScriptResult>;
  private done = false;
  private readonly decoder = new TextDecoder('utf-8');

  private constructor(
    private readonly session: BoardSession,
    readonly name: string,
    sink: ScriptOutputSink,
  ) {
    const startedMs = performance.now();
    this.ended = new Promise<ScriptResult>((resolve) => {
      const onOutput = (data: Uint8Array, dropped: number) => {
        if (dropped > 0) sink.lost?.(dropped);
        const text = this.decoder.decode(data, { stream: true });
        if (text) sink.output(text);
      };
      const finish = (result: ScriptResult) => {
        this.done = true;
        session.off('scriptOutput', onOutput).off('scriptEnded', onEnded).off('close', onClose);
        const tail = this.decoder.decode();
        if (tail) sink.output(tail);
        resolve(result);
      };
      const onEnded = (e: ScriptEnding) => {
        finish(e);
        if (e.how === ScriptEnd.Reset) void session.softReset();
      };
      const onClose = (reason: string | undefined) =>
        finish({ how: ScriptEnd.Stopped, elapsedS: (performance.now() - startedMs) / 1000, line: 0, traceback: '', linkLost: reason ?? 'disconnected' });
      session.on('scriptOutput', onOutput).on('scriptEnded', onEnded).on('close', onClose);
    });
  }

  /** Starts `source` on the board as `name`; refused in one line where the board runs no scripts. */
  static async start(session: BoardSession, name: string, source: string, sink: ScriptOutputSink): Promise<ScriptRun> {
    if (session.info && !session.info.scripts) {
      throw new UserError(`${session.info.boardName} runs the K230 SDK agent, which has no MicroPython: running a script needs the stock CanMV firmware`);
    }
    const run = new ScriptRun(session, name, sink);
    try {
      await session.runScript(name, new TextEncoder().encode(source));
    } catch (e) {
      run.done = true;
      throw e;
    }
    return run;
  }

  get running(): boolean {
    return !this.done;
  }

  /** Text for the script's input() and sys.stdin. */
  async input(text: string): Promise<void> {
    if (this.running) await this.session.scriptInput(new TextEncoder().encode(text));
  }

  /** KeyboardInterrupt; after STOP_GRACE_MS, by force (the firmware's Ctrl-C, then a soft reset). */
  async stop(): Promise<ScriptResult> {
    if (!this.running) return this.ended;
    // Not awaited: the agent answers at the script's next print, input or sleep, and a loop without one never does.
    void this.session.stopScript(false).catch(() => undefined);
    if (await this.endsWithin(STOP_GRACE_MS)) return this.ended;
    this.session.interruptScript();
    void this.session.stopScript(true).catch(() => undefined);
    if (await this.endsWithin(FORCE_GRACE_MS)) return this.ended;
    // Nothing answered: the agent is beyond reach. Let go of the link; a reconnect finds the board once it is back.
    this.session.abandon(`${this.name} did not stop: nothing answered Stop or the board's Ctrl-C; if the board does not come back, press its reset button`);
    return this.ended;
  }

  private async endsWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const ended = await Promise.race([this.ended.then(() => true), late]);
    clearTimeout(timer);
    return ended;
  }
}

/** How a run ended, for the person: "finished in 1.2 s", "stopped by you after 3.0 s", ... */
export function describeEnding(r: ScriptResult): string {
  const after = `${r.elapsedS.toFixed(1)} s`;
  if (r.linkLost) return `the board went away after ${after}: ${r.linkLost}`;
  switch (r.how) {
    case ScriptEnd.Finished: return `finished in ${after}`;
    case ScriptEnd.Exception: return `ended by an exception${r.line ? ` at line ${r.line}` : ''} after ${after}`;
    case ScriptEnd.Stopped: return `stopped by you after ${after}`;
    case ScriptEnd.Reset: return `did not stop when asked: ended by force after ${after}, and the board soft-reset`;
    default: return `ended (${r.how}) after ${after}`;
  }
}
