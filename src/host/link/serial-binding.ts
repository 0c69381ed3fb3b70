// serialport's own binding, with two changes: a read that returns 0 bytes ends the link, and a
// write waiting for room is not forgotten by the poller (pollForAllWaiting).
// On Linux and macOS a tty whose other end is gone (USB unplugged: cdc-acm and usb-serial hang the
// tty up; a PTY whose master closed) reads 0 bytes from then on. @serialport/bindings-cpp 13 reads
// again at once on 0 without asking its poller (serialport/bindings-cpp#162; PR #164 unmerged), so
// it spins a core, grows without bound and never reports the disconnect. An O_NONBLOCK tty with
// nothing to read says EAGAIN, never 0, so 0 always means the end. docs/link-endings.md has more.
import type { BindingInterface, BindingPortInterface, OpenOptions, PortInfo } from '@serialport/bindings-interface';
import * as fs from 'node:fs';
import { SerialPort } from 'serialport';

/** The unix port bindings' own fd and poller, which their read and write use. */
interface UnixPortInternals {
  fd: number | null;
  poller: {
    once(event: 'readable', cb: (err: Error | null) => void): unknown;
    poll?(flag?: number): void;
    listenerCount(event: string): number;
  };
}

/** The poller's event flags (libuv's UV_READABLE, UV_WRITABLE, UV_DISCONNECT). */
const POLL_FLAGS = { readable: 1, writable: 2, disconnect: 4 } as const;

/**
 * bindings-cpp 13's poller starts each poll with only the event asked for last (poller.cpp:
 * uv_poll_start(handle, events), not all it holds), so a read's wait for bytes cancels a write's
 * wait for room: the write then waits for ever, as an upload did once the board fell behind. Here
 * every poll asks for every event something still waits on.
 */
function pollForAllWaiting(poller: UnixPortInternals['poller']): void {
  if (!poller.poll) return;
  const poll = poller.poll.bind(poller);
  poller.poll = (flag = 0) => {
    let all = flag;
    for (const [event, bit] of Object.entries(POLL_FLAGS)) if (poller.listenerCount(event) > 0) all |= bit;
    poll(all);
  };
}

/** A read error the stream treats as a disconnect (anything not `canceled` is one). */
class LinkEndedError extends Error {
  readonly disconnect = true;
  readonly canceled = false;
}

class CanceledError extends Error {
  readonly canceled = true;
}

function readOnce(fd: number, buffer: Buffer, offset: number, length: number): Promise<number> {
  return new Promise((resolve, reject) => fs.read(fd, buffer, offset, length, null, (err, n) => (err ? reject(err) : resolve(n))));
}

function isUnixPort(port: BindingPortInterface): port is BindingPortInterface & UnixPortInternals {
  const p = port as Partial<UnixPortInternals>;
  return typeof p.fd === 'number' && typeof p.poller?.once === 'function';
}

/** Errors a hung-up, unplugged or closed tty gives (and the poller's, waiting on one). */
const ENDED_CODES = new Set(['EIO', 'ENXIO', 'ENODEV', 'EBADF']);

function ended(e: unknown): Error {
  const err = e as NodeJS.ErrnoException & { canceled?: boolean };
  if (err.canceled || (err.code && !ENDED_CODES.has(err.code) && !/bad file descriptor/i.test(err.message))) return err;
  return new LinkEndedError('hung up or unplugged');
}

/** Wraps an open port: every call goes to it, but a unix read is ours and a dead link says so plainly. */
export function endingAtZero(port: BindingPortInterface): BindingPortInterface {
  if (!isUnixPort(port)) return port; // Windows: overlapped reads report a vanished device as an error
  pollForAllWaiting(port.poller);
  const waitReadable = () =>
    new Promise<void>((resolve, reject) => port.poller.once('readable', (err) => (err ? reject(err) : resolve())));
  const read = async (buffer: Buffer, offset: number, length: number) => {
    for (;;) {
      if (!port.isOpen || port.fd === null) throw new CanceledError('Port is not open');
      let bytesRead: number;
      try {
        bytesRead = await readOnce(port.fd, buffer, offset, length);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') throw ended(e);
        // Closed while that read was in flight: its poller is destroyed, and polling it would crash.
        if (!port.isOpen) throw new CanceledError('Port is not open');
        await waitReadable().catch((err) => Promise.reject(ended(err))); // a hang-up wakes this too
        continue;
      }
      if (bytesRead > 0) return { bytesRead, buffer };
      if (!port.isOpen) throw new CanceledError('Port is not open');
      throw new LinkEndedError('hung up or unplugged');
    }
  };
  const write = (buffer: Buffer) => port.write(buffer).catch((e) => Promise.reject(ended(e)));
  return new Proxy(port, {
    get(target, key, receiver) {
      if (key === 'read') return read;
      if (key === 'write') return write;
      const value = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const platform = SerialPort.binding as unknown as BindingInterface<BindingPortInterface, OpenOptions, PortInfo>;

/** serialport's binding for this platform, with reads that end at a hang-up. */
export const LinkBinding: BindingInterface<BindingPortInterface, OpenOptions, PortInfo> = {
  list: () => platform.list(),
  open: async (options) => endingAtZero(await platform.open(options)),
};
