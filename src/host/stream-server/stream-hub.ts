// The board's stream for other programs: the one BoardSession in, any number of clients out, each
// beside the preview and any recording and never in their way. A client joins at an IDR (the hub
// asks the board for one: waiting for the next GOP would set the time to its first picture) and
// writes into a queue of its own that the hub never waits for (client-feed.ts). Each client is of one
// source (the camera, or a script's display): it is fed while the board's stream shows that source,
// waits while it shows none, and ends when the stream turns to the other.
import type { AudioChunk, BoardSession, Fragment, InitSegment } from '../session/board-session';
import { Source } from '../../protocol/messages';

export type StreamSource = InitSegment['source'];

export interface StreamClient {
  /** the stream's init segment: first, and again when the stream restarts with new settings */
  init(init: InitSegment): void;
  picture(f: Fragment): void;
  sound(c: AudioChunk): void;
  /** the stream is gone (the board went away, the server stops, its source ended): the client closes */
  end(reason: string): void;
  /** it has had its init segment: a stream of another source ends it (one that has not waits) */
  readonly started: boolean;
}

export class StreamHub {
  private current: InitSegment | undefined;
  private readonly clients = new Map<StreamClient, StreamSource>();
  private readonly waiting = new Set<(init: InitSegment) => void>();
  private readonly detach: () => void;

  constructor(private readonly session: BoardSession) {
    this.current = session.streamInit; // a stream already running (the preview's, a recording's) sends no init again
    const onInit = (init: InitSegment) => {
      this.current = init;
      for (const resolve of [...this.waiting]) resolve(init);
      for (const [c, source] of [...this.clients]) {
        if (source === init.source) c.init(init);
        else if (c.started) this.endClient(c, init.source === Source.Display ? 'the stream turned to the script\'s display' : 'the script\'s display ended');
      }
    };
    const onFragment = (f: Fragment) => {
      for (const c of this.live()) c.picture(f);
    };
    const onAudio = (a: AudioChunk) => {
      for (const c of this.live()) c.sound(a);
    };
    const onClose = (reason: string | undefined) => this.end(reason ?? 'the board was disconnected');
    session.on('init', onInit).on('fragment', onFragment).on('audio', onAudio).on('close', onClose);
    this.detach = () => session.off('init', onInit).off('fragment', onFragment).off('audio', onAudio).off('close', onClose);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** The init segment of the stream while it shows `source`, waiting up to `timeoutMs` for it. */
  initSegment(timeoutMs: number, source: StreamSource = Source.Camera): Promise<InitSegment> {
    if (this.current?.source === source) return Promise.resolve(this.current);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(done);
        reject(new Error(`no stream of the ${source === Source.Display ? 'script\'s display' : 'camera'} from the board within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const done = (init: InitSegment) => {
        if (init.source !== source) return;
        this.waiting.delete(done);
        clearTimeout(timer);
        resolve(init);
      };
      this.waiting.add(done);
    });
  }

  /** Adds a client of `source`, which starts at the IDR asked for now (or when its source comes); returns its removal. */
  add(client: StreamClient, source: StreamSource = Source.Camera): () => void {
    this.clients.set(client, source);
    if (this.current?.source === source) client.init(this.current);
    this.session.requestIdr().catch(() => undefined); // no stream yet: its first frame is an IDR anyway
    return () => this.clients.delete(client);
  }

  /** The clients of the source the stream shows now. */
  private live(): StreamClient[] {
    const source = this.current?.source;
    return [...this.clients].filter(([, s]) => s === source).map(([c]) => c);
  }

  private endClient(c: StreamClient, reason: string): void {
    this.clients.delete(c);
    c.end(reason);
  }

  /** Ends every client and lets go of the session. */
  close(reason = 'the stream server stopped'): void {
    this.end(reason);
    this.detach();
  }

  private end(reason: string): void {
    const clients = [...this.clients.keys()];
    this.clients.clear();
    for (const c of clients) c.end(reason);
  }
}
