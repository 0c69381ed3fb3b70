// The host library against the real agent over serialport on its PTY.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { once } from 'node:events';
import { connectBoard, openSession } from '../../src/host/board/connect';
import { openPort } from '../../src/host/link/serial-port';
import { BoardError, BoardSession, Fragment, InitSegment } from '../../src/host/session/board-session';
import { DEFAULT_STREAM_SETTINGS } from '../../src/protocol/stream-settings';
import { SimulatedBoard, startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { Codec, ErrorCode, MessageType, PROTOCOL_VERSION } from '../../src/protocol/messages';

let board: SimulatedBoard;
before(async () => {
  board = await startSimulatedBoard();
});
after(() => board.stop());

async function withSession(run: (s: BoardSession) => Promise<void>): Promise<void> {
  const s = await connectBoard(board.portPath);
  try {
    await run(s);
  } finally {
    await s.disconnect();
  }
}

function nextFragments(s: BoardSession, count: number): Promise<Fragment[]> {
  const got: Fragment[] = [];
  return new Promise((resolve) => {
    const on = (f: Fragment) => {
      got.push(f);
      if (got.length === count) {
        s.off('fragment', on);
        resolve(got);
      }
    };
    s.on('fragment', on);
  });
}

test('the handshake tells what the board is and can do', async () => {
  await withSession(async (s) => {
    assert.equal(s.info?.boardName, 'Simulated K230');
    assert.equal(s.info?.protocolVersion, PROTOCOL_VERSION);
    assert.ok(s.info?.h264 && s.info?.h265);
    assert.ok(s.info?.g711a && s.info?.g711u, 'the simulator has a microphone');
    assert.equal(s.info?.maxWidth, 1920);
    assert.equal(s.info?.storage, false);
  });
});

test('a host speaking another protocol version is refused with a typed error', async () => {
  const s = await openSession(board.portPath);
  try {
    await assert.rejects(s.request({ type: MessageType.Hello, id: 0, protocolVersion: PROTOCOL_VERSION + 1, hostName: 'future' }), (e: BoardError) => {
      assert.equal(e.code, ErrorCode.UnsupportedVersion);
      assert.match(e.message, new RegExp(`agent speaks protocol version ${PROTOCOL_VERSION}, the host asked for ${PROTOCOL_VERSION + 1}`));
      return true;
    });
  } finally {
    await s.disconnect();
  }
});

test('a request before the handshake is refused', async () => {
  // A board of its own: the shared one forgets a host only when it polls during the hang-up, and a
  // port reopened within that poll (the previous test's) would still count as greeted.
  // The port itself, not openSession: finding what is on a port greets the agent it finds.
  const fresh = await startSimulatedBoard({ build: false });
  const port = await openPort(fresh.portPath);
  const s = new BoardSession(port, { closeLink: () => new Promise<void>((r) => port.close(() => r())) });
  try {
    await assert.rejects(s.request({ type: MessageType.RequestIdr, id: 0 }), (e: BoardError) => e.code === ErrorCode.HandshakeRequired);
  } finally {
    await s.disconnect();
    await fresh.stop();
  }
});

test('garbage on the line before the handshake does not stop it', async () => {
  const port = await openPort(board.portPath);
  // what a terminal program or a confused IDE might have typed into the port
  await new Promise((r) => port.write(Buffer.from('\x03\x04import os\r\nK2K2\x00\xff'.repeat(50), 'latin1'), r));
  const s = new BoardSession(port, { closeLink: () => new Promise<void>((r) => port.close(() => r())) });
  try {
    const info = await s.connect();
    assert.equal(info.boardName, 'Simulated K230');
  } finally {
    await s.disconnect();
  }
});

test('a stream starts with an init segment and a keyframe, with board timestamps that increase', async () => {
  await withSession(async (s) => {
    const init = once(s, 'init') as Promise<[InitSegment]>;
    const frames = nextFragments(s, 10);
    await s.startStream({ ...DEFAULT_STREAM_SETTINGS, width: 640, height: 360 });
    const [segment] = await init;
    assert.equal(segment.codec, Codec.H264);
    assert.equal(segment.width, 640);
    assert.match(segment.codecString, /^avc1\.[0-9a-f]{6}$/);
    const f = await frames;
    assert.ok(f[0].keyframe);
    for (let i = 1; i < f.length; i++) {
      assert.equal(f[i].sequence, f[i - 1].sequence + 1);
      assert.ok(f[i].ptsUs > f[i - 1].ptsUs);
    }
  });
});

test('an IDR request is answered by a keyframe within two frames', async () => {
  await withSession(async (s) => {
    await s.startStream({ ...DEFAULT_STREAM_SETTINGS, width: 640, height: 360, gop: 300 });
    await nextFragments(s, 5);
    const after = nextFragments(s, 3);
    await s.requestIdr();
    const f = await after;
    assert.ok(f.some((x) => x.keyframe), 'a keyframe follows the request');
  });
});

test('restarting with new settings sends a new init segment', async () => {
  await withSession(async (s) => {
    await s.startStream({ ...DEFAULT_STREAM_SETTINGS, width: 640, height: 360 });
    await nextFragments(s, 2);
    const init = once(s, 'init') as Promise<[InitSegment]>;
    await s.startStream({ ...DEFAULT_STREAM_SETTINGS, width: 320, height: 240, codec: Codec.H265 });
    const [segment] = await init;
    assert.equal(segment.width, 320);
    assert.equal(segment.codec, Codec.H265);
    assert.match(segment.codecString, /^hev1\./);
  });
});

test('settings the board refuses leave the running stream as it ran', async () => {
  await withSession(async (s) => {
    await s.startStream({ ...DEFAULT_STREAM_SETTINGS, width: 640, height: 360 });
    const [before] = await nextFragments(s, 1);
    await assert.rejects(s.startStream({ ...DEFAULT_STREAM_SETTINGS, width: 644, height: 360 }), (e: BoardError) => {
      assert.equal(e.code, ErrorCode.UnsupportedSetting);
      assert.match(e.message, /width must be a multiple of 8/);
      return true;
    });
    const after = await nextFragments(s, 3);
    assert.ok(after.every((f) => f.sequence > before.sequence), 'the same stream goes on: its fragments count on');
  });
});

test('a bitrate change is taken while streaming, and a ping returns the board clock', async () => {
  await withSession(async (s) => {
    await s.startStream({ ...DEFAULT_STREAM_SETTINGS, width: 640, height: 360 });
    await s.setBitrate(1000);
    const p = await s.ping();
    assert.ok(p.boardUs > 0n);
    assert.ok(p.receivedUs >= p.sentUs);
  });
});
