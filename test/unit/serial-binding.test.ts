// The serialport binding's reads and writes on their own, over a FIFO standing in for a tty: a read
// of 0 bytes ends the link (upstream reads again for ever), EAGAIN waits for the poller, and the
// errors of a dead tty say "hung up or unplugged". The real ttys: test/integration/link-endings.test.ts.
import type { BindingPortInterface } from '@serialport/bindings-interface';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { endingAtZero } from '../../src/host/link/serial-binding';
import { waitFor } from '../support/poll';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-binding-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A port as the unix bindings have it: an fd, a poller, isOpen; write() as given. */
function fakePort(fd: number, write: () => Promise<void> = async () => undefined) {
  const poller = new EventEmitter();
  const port = { fd: fd as number | null, poller, get isOpen() { return this.fd !== null; }, write };
  return { port, wrapped: endingAtZero(port as unknown as BindingPortInterface) };
}

/** Until the read has found nothing and waits on its poller (a fixed sleep may not cover the read). */
const untilWaiting = (poller: EventEmitter) => waitFor(() => poller.listenerCount('readable') > 0, 'the read waits on its poller');

function fifo(name: string): { reader: number; writer: number } {
  const p = path.join(dir, name);
  execFileSync('mkfifo', [p]);
  const reader = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  return { reader, writer: fs.openSync(p, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK) };
}

const ended = { message: 'hung up or unplugged', disconnect: true, canceled: false };

test('a read of 0 bytes (the other end is gone) ends the link instead of reading again', async () => {
  const { reader, writer } = fifo('eof');
  fs.closeSync(writer);
  const { wrapped } = fakePort(reader);
  await assert.rejects(wrapped.read(Buffer.alloc(64), 0, 64), ended);
  fs.closeSync(reader);
});

test('nothing to read waits for the poller, then returns the bytes', async () => {
  const { reader, writer } = fifo('wait');
  const { port, wrapped } = fakePort(reader);
  const buffer = Buffer.alloc(64);
  const reading = wrapped.read(buffer, 0, 64);
  await untilWaiting(port.poller);
  fs.writeSync(writer, 'hello');
  port.poller.emit('readable', null);
  const { bytesRead } = await reading;
  assert.equal(buffer.subarray(0, bytesRead).toString(), 'hello');
  fs.closeSync(reader);
  fs.closeSync(writer);
});

test('a port closed while its read waited is a canceled read, not a disconnect', async () => {
  const { reader, writer } = fifo('closed');
  const { port, wrapped } = fakePort(reader);
  const reading = wrapped.read(Buffer.alloc(64), 0, 64);
  await untilWaiting(port.poller);
  port.fd = null;
  port.poller.emit('readable', Object.assign(new Error('Canceled'), { canceled: true }));
  await assert.rejects(reading, { canceled: true });
  fs.closeSync(reader);
  fs.closeSync(writer);
});

test('the errors of a dead tty, on a read, the poller or a write, say "hung up or unplugged"', async () => {
  const { reader, writer } = fifo('dead');
  fs.closeSync(reader);
  fs.closeSync(writer);
  const closedFd = fakePort(reader).wrapped; // EBADF
  await assert.rejects(closedFd.read(Buffer.alloc(8), 0, 8), ended);

  const again = fifo('poller');
  const { port, wrapped } = fakePort(again.reader);
  const reading = wrapped.read(Buffer.alloc(8), 0, 8);
  await untilWaiting(port.poller);
  port.poller.emit('readable', Object.assign(new Error('bad file descriptor'), { code: 'EBADF' }));
  await assert.rejects(reading, ended);
  fs.closeSync(again.reader);
  fs.closeSync(again.writer);

  const eio = fakePort(0, () => Promise.reject(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }))).wrapped;
  await assert.rejects(eio.write(Buffer.from('x')), ended);
  const other = fakePort(0, () => Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' }))).wrapped;
  await assert.rejects(other.write(Buffer.from('x')), { code: 'EACCES' });
});

/** A poller as bindings-cpp 13 has it: once() polls for its event, and each poll replaces the one before (uv_poll_start). */
class ReplacingPoller extends EventEmitter {
  polling = 0;
  poll(flag = 0): void {
    this.polling = flag;
  }
  override once(event: string, cb: (...args: unknown[]) => void): this {
    this.poll({ readable: 1, writable: 2, disconnect: 4 }[event] ?? 0);
    return super.once(event, cb);
  }
}

test("a read's wait for bytes keeps a write's wait for room: the poller asks for both", async () => {
  const { reader, writer } = fifo('both');
  const poller = new ReplacingPoller();
  const port = { fd: reader as number | null, poller, isOpen: true, write: async () => undefined };
  const wrapped = endingAtZero(port as unknown as BindingPortInterface);
  const room = new Promise((resolve) => poller.once('writable', resolve)); // what the binding's write does on EAGAIN
  assert.equal(poller.polling, 2);
  const reading = wrapped.read(Buffer.alloc(8), 0, 8);
  await untilWaiting(poller);
  assert.equal(poller.polling, 1 | 2, 'polls for bytes and for room');
  poller.emit('writable', null);
  await room;
  fs.writeSync(writer, 'k230');
  poller.emit('readable', null);
  assert.equal((await reading).bytesRead, 4);
  fs.closeSync(reader);
  fs.closeSync(writer);
});
