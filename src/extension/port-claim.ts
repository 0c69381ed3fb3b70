// One VS Code window owns a board: each window has an extension host of its own, and two of them
// on one serial port would fight over it (and a second one would retry a busy port forever). The
// window that connects claims the port in a file beside the others' (the extension's global
// storage, shared by every window on this machine); the others see the claim and keep away until
// it is released, or goes stale because its window is gone.
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A live owner renews its claim this often; one not renewed for STALE_MS is taken to be gone. */
const RENEW_MS = 2000;
const STALE_MS = 3 * RENEW_MS;

interface ClaimFile {
  owner: string;
  pid: number;
  port: string;
}

export class PortClaims {
  /** this window's name in the files */
  private readonly owner = randomUUID();
  private readonly held = new Map<string, NodeJS.Timeout>();

  constructor(private readonly dir: string) {}

  /** Claims the port for this window; false when another live window holds it. */
  claim(port: string): boolean {
    if (this.held.has(port)) return true;
    fs.mkdirSync(this.dir, { recursive: true });
    const file = this.fileOf(port);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, JSON.stringify({ owner: this.owner, pid: process.pid, port } satisfies ClaimFile), { flag: 'wx' });
        const renew = setInterval(() => this.renew(file), RENEW_MS);
        renew.unref();
        this.held.set(port, renew);
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        if (this.heldElsewhere(port)) return false;
        fs.rmSync(file, { force: true }); // a stale claim: its window is gone
      }
    }
    return false;
  }

  /** Whether another live window holds the port. */
  heldElsewhere(port: string): boolean {
    if (this.held.has(port)) return false;
    const file = this.fileOf(port);
    try {
      const claim = JSON.parse(fs.readFileSync(file, 'utf8')) as ClaimFile;
      const fresh = Date.now() - fs.statSync(file).mtimeMs < STALE_MS;
      return claim.owner !== this.owner && fresh && alive(claim.pid);
    } catch {
      return false; // no claim, or one half-written by a window that died: nobody holds it
    }
  }

  release(port: string): void {
    const renew = this.held.get(port);
    if (!renew) return;
    clearInterval(renew);
    this.held.delete(port);
    fs.rmSync(this.fileOf(port), { force: true });
  }

  releaseAll(): void {
    [...this.held.keys()].forEach((port) => this.release(port));
  }

  private renew(file: string): void {
    const now = new Date();
    try {
      fs.utimesSync(file, now, now);
    } catch {
      // removed by hand: the next claim makes it again
    }
  }

  private fileOf(port: string): string {
    return path.join(this.dir, `port-${createHash('sha256').update(port).digest('hex').slice(0, 16)}.json`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
