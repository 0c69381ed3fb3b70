// One client's queue (src/host/stream-server/client-feed.ts): it starts at an IDR, and once more is
// unread than its bound it drops pictures up to the next IDR and sound until the pictures go on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientFeed } from '../../src/host/stream-server/client-feed';

/** A socket whose unread bytes the test sets, as a client that stops and starts reading would. */
function socket() {
  const written: string[] = [];
  return { written, writableLength: 0, destroyed: false, write: (b: Uint8Array) => (written.push(Buffer.from(b).toString()), true) };
}
const packet = (name: string) => () => [Buffer.from(name)];

test('a client starts at its first IDR: pictures and sound before it are not sent', () => {
  const s = socket();
  const feed = new ClientFeed(s, 1000);
  assert.equal(feed.picture(false, packet('P0')), false);
  assert.equal(feed.sound(packet('S0')), false);
  assert.equal(feed.picture(true, packet('I1')), true);
  assert.equal(feed.sound(packet('S1')), true);
  assert.equal(feed.picture(false, packet('P2')), true);
  assert.deepEqual(s.written, ['I1', 'S1', 'P2']);
  assert.equal(feed.stats.droppedPictures, 0, 'what came before the start is not a drop');
});

test('past its bound it drops pictures up to the next IDR, and sound until they go on; nothing is built for a drop', () => {
  const s = socket();
  const feed = new ClientFeed(s, 1000);
  feed.picture(true, packet('I0'));
  s.writableLength = 1001; // the client stopped reading
  let built = 0;
  const counted = (name: string) => () => (built++, [Buffer.from(name)]);
  assert.equal(feed.picture(false, counted('P1')), false);
  assert.equal(feed.sound(counted('S1')), false);
  s.writableLength = 0; // it reads again: still no picture until an IDR
  assert.equal(feed.picture(false, counted('P2')), false);
  assert.equal(feed.sound(counted('S2')), false);
  assert.equal(built, 0);
  assert.equal(feed.picture(true, packet('I3')), true);
  assert.equal(feed.sound(packet('S3')), true);
  assert.deepEqual(s.written, ['I0', 'I3', 'S3']);
  assert.deepEqual(feed.stats, { pictures: 2, droppedPictures: 2, droppedSounds: 2 });
});

test('a closed client gets nothing', () => {
  const s = socket();
  const feed = new ClientFeed(s, 1000);
  s.destroyed = true;
  assert.equal(feed.picture(true, packet('I0')), false);
  assert.deepEqual(s.written, []);
});
