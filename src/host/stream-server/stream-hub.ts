// The board's stream for other programs: the one BoardSession in, any number of clients out, each
// beside the preview and any recording and never in their way. A client joins at an IDR (the hub
// asks the board for one: waiting for the next GOP would set the time to its first picture) and
// writes into a queue of its own that the hub never waits for (client-feed.ts).
import type { AudioChunk, BoardSession, Fragment, InitSegment } from '../session/board-session';

export interface StreamClient {
  /** the stream's init segment: first, and again when the stream restarts with new settings */
  init(init: InitSegment): void;
  picture(f: Fragment): void;
  sound(c: AudioChunk): void;
  /** the stream is gone (the board went away, the server stops): the client closes */
  end(reason: string): void;
}

export class StreamHub {
  private current: InitSegment | undefined;
  private readonly clients = new Set<StreamClient>();
  private readonly waiting = new Set<(init: InitSegment) => void>();
  private readonly detach: () => void;

  constructor(private readonly session: BoardSession) {
    this.current = session.streamInit; // a stream already running (the preview's, a recording's) sends no init again
    const onInit = (init: InitSegment) => {
      this.current = init;
      for (const resolve of this.waiting) resolve(init);
      this.waiting.clear();
      for (const c of this.clients) c.init(init);
    };
    const onFragment = (f: Fragment) => {
      for (const c of this.clients) c.picture(f);
    };
    const onAudio = (a: AudioChunk) => {
      for (const c of this.clients) c.sound(a);
    };
    const onClose = (reason: string | undefined) => this.end(reason ?? 'the board was disconnected');
    session.on('init', onInit).on('fragment', onFragment).on('audio', onAudio).on('close', onClose);
    this.detach = () => session.off('init', onInit).off('fragment', onFragment).off('audio', onAudio).off('close', onClose);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** The running stream's init segment, waiting up to `timeoutMs` for the first. */
  initSegment(timeoutMs: number): Promise<InitSegment> {
    if (this.current) return Promise.resolve(this.current);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(done);
        reject(new Error(`no stream from the board within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const done = (init: InitSegment) => {
        clearTimeout(timer);
        resolve(init);
      };
      this.waiting.add(done);
    });
  }

  /** Adds a client, which starts at the IDR asked for now; returns its removal. */
  add(client: StreamClient): () => void {
    this.clients.add(client);
    if (this.current) client.init(this.current);
    this.session.requestIdr().catch(() => undefined); // no stream yet: its first frame is an IDR anyway
    return () => this.clients.delete(client);
  }

  /** Ends every client and lets go of the session. */
  close(reason = 'the stream server stopped'): void {
    this.end(reason);
    this.detach();
  }

  private end(reason: string): void {
    const clients = [...this.clients];
    this.clients.clear();
    for (const c of clients) c.end(reason);
  }
}
