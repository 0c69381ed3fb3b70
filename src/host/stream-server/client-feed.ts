// One client's share of the stream, over its socket: it starts at an IDR, and what it has not read
// is bounded. The socket's own buffer is the queue: past the bound, pictures are dropped up to the
// next IDR (one that references a dropped frame would not decode) and sound until the pictures
// go on. Nothing here ever waits for the client: a slow one loses frames, the board and the other
// consumers lose nothing.
import { KeyframeGate } from '../../shared/keyframe-gate';

/** What a client may have unread before it loses frames: about 2 s of 8 Mbit/s. */
export const CLIENT_QUEUE_BYTES = 2 << 20;

export interface ClientSocket {
  readonly writableLength: number;
  readonly destroyed: boolean;
  write(bytes: Uint8Array): boolean;
}

export interface FeedStats {
  /** pictures written to the client */
  pictures: number;
  /** pictures dropped because the client fell behind (or before its first IDR) */
  droppedPictures: number;
  droppedSounds: number;
}

export class ClientFeed {
  private started = false;
  readonly stats: FeedStats = { pictures: 0, droppedPictures: 0, droppedSounds: 0 };

  constructor(
    private readonly socket: ClientSocket,
    private readonly limitBytes = CLIENT_QUEUE_BYTES,
    /** the client's keyframe gate; one its timeline shares, so that both skip the same pictures */
    readonly gate = new KeyframeGate(),
  ) {}

  /** Whether the client has had its first picture (an IDR). */
  get playing(): boolean {
    return this.started;
  }

  /** Writes a picture's packets, or drops it; true when written. */
  picture(keyframe: boolean, packets: () => Uint8Array[]): boolean {
    if (this.socket.destroyed) return false;
    if (this.socket.writableLength > this.limitBytes) this.gate.close();
    if (!this.gate.pass(keyframe)) {
      if (this.started) this.stats.droppedPictures++;
      return false;
    }
    this.started = true;
    for (const p of packets()) this.socket.write(p);
    this.stats.pictures++;
    return true;
  }

  /** Writes a chunk of sound once the pictures flow, or drops it; true when written. */
  sound(packets: () => Uint8Array[]): boolean {
    if (this.socket.destroyed || !this.started) return false;
    if (!this.gate.isOpen || this.socket.writableLength > this.limitBytes) {
      this.stats.droppedSounds++;
      return false;
    }
    for (const p of packets()) this.socket.write(p);
    return true;
  }
}
