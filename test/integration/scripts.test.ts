// The user's own script on a stock CanMV board, end to end: the simulated board runs the real
// MicroPython VM behind a PTY; the built CLI uploads the agent, runs the script under it and shows
// what it prints, as a user runs `k230live run`; files go to the card with `k230live push`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { connectBoard } from '../../src/host/board/connect';
import { openRepl } from '../../src/host/board/open-repl';
import { openPort } from '../../src/host/link/serial-port';
import { recordStream } from '../../src/host/recording/record-stream';
import { ScriptRun } from '../../src/host/script/script-run';
import { AudioCodec, ScriptEnd } from '../../src/protocol/messages';
import { DEFAULT_STREAM_SETTINGS } from '../../src/protocol/stream-settings';
import { SimulatedBoard, startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { assertOneLineError, CLI, runCli } from '../support/cli';
import { decodeErrors, probeVideo } from '../support/media';
import { waitFor } from '../support/poll';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-scripts-'));
const sdcard = path.join(base, 'sdcard');
const outside = path.join(base, 'outside');
let board: SimulatedBoard;
const cli = (args: string[], input?: string) => runCli([args[0], '--port', board.portPath, ...args.slice(1)], undefined, input);
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A script file in the test's folder, as a user keeps one. */
function script(name: string, code: string): string {
  const file = path.join(base, name);
  fs.writeFileSync(file, code);
  return file;
}

before(async () => {
  fs.mkdirSync(sdcard);
  fs.mkdirSync(outside);
  fs.symlinkSync(outside, path.join(sdcard, 'up'));
  board = await startSimulatedBoard({ stock: true, sdcard });
});

after(async () => {
  await board.stop();
  fs.rmSync(base, { recursive: true, force: true });
});

test('run prints the script\'s lines in order, Chinese and emoji intact, and exits 0', async () => {
  const file = script('hello.py', 'import time\nprint("你好，K230 🙂")\nfor i in range(5):\n    print("line", i)\n    time.sleep_ms(20)\nprint("end")\n');
  const r = await cli(['run', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '你好，K230 🙂\nline 0\nline 1\nline 2\nline 3\nline 4\nend\n');
  assert.equal(r.stderr, '');
});

test('input() is answered from stdin, as `echo world | k230live run ask.py`', async () => {
  const file = script('ask.py', 'name = input("who? ")\nprint("hello", name)\nimport sys\nprint("then", sys.stdin.readline().strip())\n');
  const r = await cli(['run', file], 'world\nagain\n');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'who? hello world\nthen again\n');
});

test('an uncaught exception exits 1 with the traceback on stderr, naming the file and its lines', async () => {
  const file = script('boom.py', 'print("before")\ndef f():\n    return 1 / 0\nf()\n');
  const r = await cli(['run', file]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, 'before\n');
  assert.match(r.stderr, /File "boom\.py", line 4, in <module>\n\s+File "boom\.py", line 3, in f\nZeroDivisionError: divide by zero/);
  assert.doesNotMatch(r.stderr, /agent|script\.py/, 'only the user\'s frames');
});

test('a syntax error names the file and line too', async () => {
  const r = await cli(['run', script('bad.py', 'print("ok")\nif True print("no")\n')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /File "bad\.py", line 2\nSyntaxError/);
});

test('Ctrl-C stops a script in a time.sleep loop: exit 130, and the next command works', async () => {
  const file = script('loop.py', 'import time\nn = 0\nwhile True:\n    n += 1\n    print("tick", n)\n    time.sleep(0.1)\n');
  const child = spawn(process.execPath, [CLI, 'run', '--port', board.portPath, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const code = new Promise<number | null>((resolve) => child.on('close', resolve));
  await waitFor(() => out.includes('tick 3'), 'the script prints', 10_000);
  child.kill('SIGINT');
  assert.equal(await code, 130);
  const again = await cli(['run', script('after.py', 'print("after")\n')]);
  assert.equal(again.stdout, 'after\n');
});

test('--seconds stops an endless loop as asked (exit 0), and record --frames 30 straight after gets 30 frames', async () => {
  const r = await cli(['run', '--seconds', '2', script('endless.py', 'import time\nwhile True:\n    time.sleep(0.05)\n')]);
  assert.equal(r.code, 0, r.stderr);
  const out = path.join(base, 'after-endless.mp4');
  const rec = await cli(['record', '--frames', '30', '--width', '640', '--height', '480', '--out', out]);
  assert.equal(rec.code, 0, rec.stderr);
  assert.equal(probeVideo(out).frames, 30);
});

test('a script that turned Ctrl-C off and swallows KeyboardInterrupt is still stopped', async () => {
  const file = script('stubborn.py', [
    'import micropython, time',
    'micropython.kbd_intr(-1)',
    'while True:',
    '    try:',
    '        print("working")',
    '        time.sleep(0.1)',
    '    except KeyboardInterrupt:',
    '        print("not now")',
  ].join('\n'));
  const s = await connectBoard(board.portPath);
  try {
    let printed = '';
    const run = await ScriptRun.start(s, 'stubborn.py', fs.readFileSync(file, 'utf8'), { output: (t) => (printed += t) });
    await waitFor(() => printed.includes('working'), 'the script runs', 10_000);
    const r = await run.stop();
    assert.equal(r.how, ScriptEnd.Stopped);
    assert.equal(r.linkLost, undefined);
    // the board serves again, no reconnect
    assert.equal((await s.list('/sdcard')).truncated, false);
  } finally {
    await s.disconnect();
  }
});

test('a script that leaves the camera and the encoder running: afterwards the live stream works with no reconnect', async () => {
  const file = script('camera.py', [
    'from media.sensor import *',
    'from media.vencoder import *',
    'from media.media import *',
    'sensor = Sensor(width=1280, height=720, fps=30)',
    'sensor.reset()',
    'sensor.set_framesize(width=640, height=480, chn=CAM_CHN_ID_0)',
    'sensor.set_pixformat(Sensor.YUV420SP, chn=CAM_CHN_ID_0)',
    'enc = Encoder()',
    'enc.SetOutBufs(VENC_CHN_ID_0, 8, 640, 480)',
    'enc.Create(VENC_CHN_ID_0, ChnAttrStr(enc.PAYLOAD_TYPE_H264, enc.H264_PROFILE_MAIN, 640, 480))',
    'link = MediaManager.link(sensor.bind_info(chn=CAM_CHN_ID_0)["src"], (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, VENC_CHN_ID_0))',
    'enc.Start(VENC_CHN_ID_0)',
    'sensor.run()',
    'print("left running")',
  ].join('\n'));
  const s = await connectBoard(board.portPath);
  try {
    const run = await ScriptRun.start(s, 'camera.py', fs.readFileSync(file, 'utf8'), { output: () => undefined });
    assert.equal((await run.ended).how, ScriptEnd.Finished);
    const out = path.join(base, 'after-camera.mp4');
    const rec = await recordStream(s, { ...DEFAULT_STREAM_SETTINGS, width: 640, height: 480 }, out, { frames: 30 });
    assert.equal(rec.frames, 30);
    assert.equal(probeVideo(out).frames, 30);
    assert.equal(decodeErrors(out), '');
  } finally {
    await s.disconnect();
  }
});

test('1 MB of prints in a tight loop: every line in order, while the live stream\'s frames stay whole', async () => {
  const lines = 50_000; // 23 bytes a line: 1.15 MB
  const s = await connectBoard(board.portPath);
  try {
    const out = path.join(base, 'during-flood.mp4');
    const settings = { ...DEFAULT_STREAM_SETTINGS, width: 640, height: 480, audio: AudioCodec.Off, audioRate: 0 };
    const recording = recordStream(s, settings, out, { seconds: 6 });
    await waitFor(() => fs.existsSync(out) && fs.statSync(out).size > 50_000, 'the stream flows', 10_000);
    let printed = '';
    const run = await ScriptRun.start(s, 'flood.py', `for i in range(${lines}):\n    print("line %06d abcdefghij" % i)\n`, { output: (t) => (printed += t) });
    const ended = await run.ended;
    assert.equal(ended.how, ScriptEnd.Finished);
    const got = printed.split('\n').slice(0, -1);
    assert.equal(got.length, lines);
    got.forEach((l, i) => l !== `line ${String(i).padStart(6, '0')} abcdefghij` && assert.fail(`line ${i} is "${l}"`));
    const rec = await recording;
    assert.equal(rec.interruption, undefined);
    const v = probeVideo(out);
    assert.equal(v.frames, rec.frames);
    assert.ok(v.frames > 0);
    assert.equal(decodeErrors(out), '');
  } finally {
    await s.disconnect();
  }
});

test('push then ls then pull: the same SHA-256; a push again resumes nothing and replaces', async () => {
  const local = path.join(base, 'data.bin');
  fs.writeFileSync(local, Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) & 0xff)));
  const push = await cli(['push', local, '/sdcard/data.bin', '--json']);
  assert.equal(push.code, 0, push.stderr);
  assert.equal(JSON.parse(push.stdout).sha256, sha256(local));
  assert.equal(sha256(path.join(sdcard, 'data.bin')), sha256(local));
  assert.ok(!fs.existsSync(path.join(sdcard, 'data.bin.k230part')), 'the part is renamed');
  const ls = await cli(['ls', '/sdcard', '--json']);
  assert.equal(JSON.parse(ls.stdout).entries.find((e: { name: string }) => e.name === 'data.bin')?.size, 300_000);
  const back = path.join(base, 'back.bin');
  const pull = await cli(['pull', '/sdcard/data.bin', back]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.equal(sha256(back), sha256(local));
});

test('a push interrupted half way goes on from where it stopped', async () => {
  const local = path.join(base, 'big.bin');
  fs.writeFileSync(local, Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 31) & 0xff)));
  fs.writeFileSync(path.join(sdcard, 'big.bin.k230part'), fs.readFileSync(local).subarray(0, 120_000)); // what a cut push left
  const r = await cli(['push', local, '/sdcard/big.bin', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).resumedFrom, 120_000);
  assert.equal(sha256(path.join(sdcard, 'big.bin')), sha256(local));
});

test('push refuses .., absolute paths outside /sdcard and symlinks out, and writes nothing outside', async () => {
  const local = script('x.py', 'print(1)\n');
  for (const remote of ['/sdcard/../x.py', '/etc/x.py', '/sdcard2/x.py']) {
    assertOneLineError(await cli(['push', local, remote]), /outside \/sdcard/);
  }
  const r = await cli(['push', local, '/sdcard/up/x.py']);
  assert.notEqual(r.code, 0);
  assert.deepEqual(fs.readdirSync(outside), []);
});

test('Set as main.py, then a soft reset runs it', async () => {
  const r = await cli(['push', script('main.py', 'print("main.py ran at boot")\n'), '/sdcard/main.py']);
  assert.equal(r.code, 0, r.stderr);
  const repl = await openRepl(board.portPath);
  try {
    let seen = '';
    repl.port.on('data', (b: Buffer) => (seen += b.toString()));
    repl.port.write('\x04'); // Ctrl-D at the prompt: a soft reset
    await waitFor(() => seen.includes('main.py ran at boot'), 'main.py runs at the soft reset', 10_000);
  } finally {
    await repl.close();
  }
  fs.rmSync(path.join(sdcard, 'main.py'));
});

test('the C agent (K230 SDK builds) runs no scripts, and says why in one line', async () => {
  const sdk = await startSimulatedBoard({});
  try {
    const r = await runCli(['run', '--port', sdk.portPath, script('any.py', 'print(1)\n')]);
    assertOneLineError(r, /K230 SDK agent, which has no MicroPython/);
  } finally {
    await sdk.stop();
  }
});

test('after a command, a serial terminal\'s Enter, Ctrl-C or Ctrl-B gets the REPL back; the next command starts the agent again', async () => {
  for (const key of ['\r', '\x03', '\x02']) {
    const rec = await cli(['record', '--frames', '10', '--width', '640', '--height', '480', '--out', path.join(base, 'before-terminal.mp4')]);
    assert.equal(rec.code, 0, rec.stderr); // the agent stays on the board for the next command
    const port = await openPort(board.portPath);
    try {
      let seen = '';
      port.on('data', (b: Buffer) => (seen += b.toString('latin1')));
      port.write(key); // a person at a serial terminal, as the first thing they send
      await waitFor(() => seen.endsWith('>>> '), `the REPL's prompt after ${JSON.stringify(key)}`, 10_000);
      assert.match(seen, /the REPL is yours again/);
    } finally {
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
  }
  const again = await cli(['run', script('back.py', 'print("agent again")\n')]);
  assert.equal(again.stdout, 'agent again\n');
});

test('a loop without I/O: Stop by force, the simulated board soft-resets it (its VM cannot take Ctrl-C there), and the board answers again', async () => {
  const s = await connectBoard(board.portPath);
  let printed = '';
  const run = await ScriptRun.start(s, 'spin.py', 'print("spinning")\nwhile True:\n    pass\n', { output: (t) => (printed += t) });
  await waitFor(() => printed.includes('spinning'), 'the script runs', 10_000);
  const r = await run.stop();
  assert.match(r.linkLost ?? '', /spin\.py did not stop/);
  assert.equal(s.isClosed, true);
  const again = await cli(['run', script('alive.py', 'print("alive")\n')]);
  assert.equal(again.stdout, 'alive\n', again.stderr);
});
