// k230live convert on raw .264/.265 from ffmpeg's encoders: the MP4 holds the same bitstream and decodes to the
// very same frames, at the stream's own frame rate or the one asked for; what it cannot do, it says in one line.
// And convert --faststart on what the board recorded to its own card, pictures and sound: the sound stays.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { SimulatedBoard, startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { assertOneLineError, runCli } from '../support/cli';
import { decodeErrors, probeStreams, probeVideo, strictlyIncreasing } from '../support/media';
import { boxOffset, encodeRaw, extractAnnexB, frameHashes, plainNalUnits, probeDuration, syncSamples } from '../support/raw-video';
import { sleep } from '../support/poll';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-convert-'));
const raw = {
  h264: path.join(dir, 'camera.264'),
  h265: path.join(dir, 'camera.265'),
};
/** the simulated board's card, where board-record writes */
const sdcard = path.join(dir, 'sdcard');
let board: SimulatedBoard;

before(async () => {
  encodeRaw(raw.h264, { codec: 'h264', frames: 60 });
  encodeRaw(raw.h265, { codec: 'h265', frames: 60 });
  fs.mkdirSync(sdcard);
  board = await startSimulatedBoard({ sdcard });
});
after(async () => {
  await board.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});


const convert = async (...args: string[]) => {
  const r = await runCli(['convert', ...args]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'no progress bar when stderr is not a terminal');
  return r;
};

for (const codec of ['h264', 'h265'] as const) {
  const name = codec === 'h264' ? 'H.264' : 'H.265';

  test(`raw ${name} becomes an MP4 with the same 60 frames, decoded identically, at the stream's 25 fps`, async () => {
    const out = path.join(dir, `${codec}.mp4`);
    const r = await convert(raw[codec], out);
    assert.match(r.stdout, new RegExp(`^${out}: ${codec === 'h264' ? 'avc1\\.64001e' : 'hvc1\\.1\\.6\\.L63\\.90'} 640x360, 60 frames \\(3 keyframes\\) at 25 fps, 2\\.40 s, \\d+ bytes\\n$`));
    const v = probeVideo(out);
    assert.equal(v.codec, codec === 'h264' ? 'h264' : 'hevc');
    assert.equal(v.frames, probeVideo(raw[codec]).frames);
    assert.equal(v.frames, 60);
    assert.deepEqual([v.width, v.height], [640, 360]);
    assert.deepEqual(syncSamples(out), [1, 26, 51], 'the IDR frames, one every 25, are the sync samples');
    assert.deepEqual(v.pts, Array.from({ length: 60 }, (_, i) => +(i / 25).toFixed(6)));
    assert.deepEqual(frameHashes(out), frameHashes(raw[codec]), 'every decoded frame is the same');
    assert.equal(decodeErrors(out), '');
  });

  test(`the ${name} MP4's samples are the raw stream's NAL units, byte for byte`, () => {
    const back = extractAnnexB(path.join(dir, `${codec}.mp4`), path.join(dir, `back-${codec}`), codec);
    const input = plainNalUnits(fs.readFileSync(raw[codec]));
    const output = plainNalUnits(back);
    // ffmpeg's mp4toannexb puts the sample entry's parameter sets back before each keyframe; anything else
    // it hands back must be the input's units, all of them, in order.
    let matched = 0;
    const extra: string[] = [];
    for (const unit of output) {
      if (unit === input[matched]) matched++;
      else extra.push(unit);
    }
    assert.equal(matched, input.length, 'every NAL unit of the input is in the MP4, in order');
    for (const unit of extra) assert.ok(input.includes(unit), 'an added unit is a copy of a parameter set the input carries');
  });
}

test('a raw stream becomes an MP4 of one track, the pictures: nothing to carry sound', async () => {
  const out = path.join(dir, 'h264.mp4');
  assert.deepEqual(probeStreams(out), ['h264']);
  const seen = JSON.parse((await runCli(['inspect', out, '--json'])).stdout);
  assert.deepEqual(
    seen.tracks.map((t: { type: string }) => t.type),
    ['video'],
  );
});

test('--fps 10 stamps 60 frames 0.1 s apart: 6 s', async () => {
  const out = path.join(dir, 'fps10.mp4');
  const r = await convert(raw.h264, out, '--fps', '10', '--json');
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.fps, 10);
  assert.equal(summary.durationS, 6);
  assert.equal(probeDuration(out), 6);
  const v = probeVideo(out);
  assert.equal(v.frames, 60);
  assert.ok(Math.abs(v.pts[59] - 5.9) < 1e-9, `last frame at 5.9 s (got ${v.pts[59]})`);
  assert.ok(strictlyIncreasing(v.pts));
});

test('--faststart puts the moov before the mdat; without it the moov comes last', async () => {
  const fast = path.join(dir, 'fast.mp4');
  const plain = path.join(dir, 'h264.mp4');
  const r = await convert(raw.h265, fast, '--faststart');
  assert.match(r.stdout, /moov first/);
  assert.ok(boxOffset(fast, 'moov') < boxOffset(fast, 'mdat'), 'moov before mdat');
  assert.ok(boxOffset(plain, 'moov') > boxOffset(plain, 'mdat'), 'moov after mdat by default');
  for (const [file, moovFirst] of [[fast, true], [plain, false]] as const) {
    const seen = JSON.parse((await runCli(['inspect', file, '--json'])).stdout);
    assert.deepEqual([seen.fragmented, seen.moovBeforeMdat, seen.tracks[0].frames], [false, moovFirst, 60], `inspect ${path.basename(file)}`);
  }
  assert.deepEqual(frameHashes(fast), frameHashes(raw.h265));
});

test('a 29.97 fps stream keeps its exact rate from the SPS timing info', async () => {
  const src = encodeRaw(path.join(dir, 'ntsc.264'), { codec: 'h264', frames: 30, rate: '30000/1001', size: '320x240' });
  const out = path.join(dir, 'ntsc.mp4');
  const summary = JSON.parse((await convert(src, out, '--json')).stdout);
  assert.ok(Math.abs(summary.fps - 30000 / 1001) < 1e-9);
  const rate = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=r_frame_rate', '-of', 'csv=p=0', out]).toString().trim();
  assert.equal(rate, '30000/1001');
});

test('a stream without timing info needs --fps, and says so', async () => {
  const src = encodeRaw(path.join(dir, 'untimed.265'), { codec: 'h265', frames: 10, encoder: ['-x265-params', 'log-level=error:bframes=0:vui-timing-info=0'] });
  const out = path.join(dir, 'untimed.mp4');
  assertOneLineError(await runCli(['convert', src, out]), /no frame rate .*--fps/, { quietStdout: true });
  assert.ok(!fs.existsSync(out));
  const summary = JSON.parse((await convert(src, out, '--fps', '12.5', '--json')).stdout);
  assert.equal(summary.frames, 10);
  assert.equal(probeDuration(out), 0.8);
});

test('a stream cut before its first keyframe starts at that keyframe, and says how many frames it left out', async () => {
  // Cut at frame 5 on a packet boundary ffprobe reports: frames 5..24 cannot be decoded without frame 0.
  const positions = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'packet=pos', '-of', 'csv=p=0', raw.h264]).toString().trim().split('\n').map(Number);
  const cut = path.join(dir, 'cut.264');
  fs.writeFileSync(cut, fs.readFileSync(raw.h264).subarray(positions[5]));
  const out = path.join(dir, 'cut.mp4');
  const r = await convert(cut, out);
  assert.match(r.stdout, /35 frames \(2 keyframes\).*20 frames before the first keyframe left out/);
  assert.deepEqual(frameHashes(out), frameHashes(raw.h264).slice(25));
});

test('a stream with B-frames is refused rather than given wrong timestamps', async () => {
  for (const [file, codec, encoder] of [
    ['b.264', 'h264', ['-bf', '2']],
    ['b.265', 'h265', ['-x265-params', 'log-level=error:bframes=3']],
  ] as const) {
    const src = encodeRaw(path.join(dir, file), { codec, frames: 20, size: '320x240', encoder: [...encoder] });
    const out = path.join(dir, `${file}.mp4`);
    assertOneLineError(await runCli(['convert', src, out]), /has B-frames/, { quietStdout: true });
    assert.ok(!fs.existsSync(out) && !fs.existsSync(`${out}.part`), 'nothing is left behind');
  }
});

test('an interlaced H.264 stream without B-frames (picture order counts that wrap every 8 frames) converts', async () => {
  // x264 signals picture order in the slice headers only when interlaced or with B-frames: the reordering check reads them.
  const src = encodeRaw(path.join(dir, 'interlaced.264'), { codec: 'h264', frames: 60, size: '720x576', encoder: ['-x264-params', 'interlaced=1'] });
  const out = path.join(dir, 'interlaced.mp4');
  const r = await convert(src, out);
  assert.match(r.stdout, /avc1\.64001e 720x576, 60 frames \(3 keyframes\) at 25 fps/);
  assert.deepEqual(frameHashes(out), frameHashes(src));
});

test('what is not raw H.264/H.265, or cannot be written, is one line on stderr', async () => {
  const garbage = path.join(dir, 'garbage.264');
  fs.writeFileSync(garbage, Buffer.from('this is a text file, not a video\n'.repeat(100)));
  const empty = path.join(dir, 'empty.265');
  fs.writeFileSync(empty, '');
  const out = path.join(dir, 'never.mp4');
  assertOneLineError(await runCli(['convert', garbage, out]), /garbage\.264 is not raw H\.264\/H\.265/, { quietStdout: true });
  assertOneLineError(await runCli(['convert', empty, out]), /empty\.265 is empty/, { quietStdout: true });
  assertOneLineError(await runCli(['convert', path.join(dir, 'missing.264'), out]), /cannot read .*missing\.264: no such file/, { quietStdout: true });
  assertOneLineError(await runCli(['convert', raw.h264, path.join(dir, 'no-such-dir', 'x.mp4')]), /cannot write .*x\.mp4: no such directory/, { quietStdout: true });
  assertOneLineError(await runCli(['convert', raw.h264, dir]), /cannot write .*: it is a directory/, { quietStdout: true });
  assertOneLineError(await runCli(['convert', raw.h264, out, '--fps', 'fast']), /--fps must be a positive number/, { quietStdout: true });
  assert.ok(!fs.existsSync(out));
});

/** Every sound or video packet's presentation time, as ffprobe reads it. */
function packetTimes(file: string, kind: 'a' | 'v'): string {
  return execFileSync('ffprobe', ['-v', 'error', '-select_streams', `${kind}:0`, '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file]).toString();
}

/** Where the sound stops for a while, from ffprobe's packet times alone: a chunk's 20 ms end before the next one begins. */
function probedGaps(times: string): { atS: number; durationS: number }[] {
  const t = times.trim().split('\n').map(Number);
  return t.flatMap((at, i) => (i + 1 < t.length && t[i + 1] - (at + 0.02) > 1e-4 ? [{ atS: at + 0.02, durationS: t[i + 1] - at - 0.02 }] : []));
}

for (const { audio, rate, probed, entry } of [
  { audio: 'g711u', rate: 8000, probed: 'pcm_mulaw', entry: 'ulaw' },
  { audio: 'g711a', rate: 16000, probed: 'pcm_alaw', entry: 'alaw' },
] as const) {
  test(`a board recording with ${audio} sound at ${rate} Hz converts --faststart with its sound at the same times`, async () => {
    const card = `/sdcard/${audio}.mp4`;
    const record = (...args: string[]) => runCli(['board-record', '--port', board.portPath, ...args]);
    const started = await record('start', '--out', card, '--width', '640', '--height', '360', '--audio', audio, '--audio-rate', String(rate));
    assert.equal(started.code, 0, started.stderr);
    await sleep(2000);
    const stopped = await record('stop');
    assert.equal(stopped.code, 0, stopped.stderr);

    const recording = path.join(sdcard, `${audio}.mp4`);
    assert.deepEqual(probeStreams(recording), ['h264', `${probed} ${rate} Hz 1 ch`]);
    const out = path.join(dir, `board-${audio}.mp4`);
    const r = await convert(recording, out, '--faststart');
    assert.match(r.stdout, new RegExp(`; ${entry} ${rate} Hz mono, \\d+ chunks( \\(\\d+ gaps?\\))?, .*moov first\\n$`));
    assert.ok(boxOffset(out, 'moov') < boxOffset(out, 'mdat'), 'moov before mdat');
    assert.deepEqual(probeStreams(out), ['h264', `${probed} ${rate} Hz 1 ch`]);
    assert.equal(packetTimes(out, 'a'), packetTimes(recording, 'a'), 'every chunk of sound at its time');
    assert.equal(packetTimes(out, 'v'), packetTimes(recording, 'v'), 'every picture at its time');
    assert.equal(decodeErrors(out), '');

    const [before, after] = [await runCli(['inspect', recording, '--json']), await runCli(['inspect', out, '--json'])].map((i) => JSON.parse(i.stdout));
    const sound = before.tracks[1];
    assert.deepEqual([sound.type, sound.codec, sound.sampleRate, sound.channels], ['audio', entry, rate, 1]);
    assert.equal(sound.frames, packetTimes(recording, 'a').trim().split('\n').length, 'inspect counts every chunk');
    // The board drops a chunk when its queue is full (a loaded machine): that is a gap, and inspect must say so.
    const expected = probedGaps(packetTimes(recording, 'a'));
    assert.equal(sound.gaps.length, expected.length, `gaps: ${JSON.stringify(sound.gaps)} vs ${JSON.stringify(expected)}`);
    sound.gaps.forEach((g: { atS: number }, i: number) => assert.ok(Math.abs(g.atS - expected[i].atS) < 1e-5, `gap ${i} at ${g.atS} s`));
    assert.ok(sound.startS >= 0 && sound.startS < 0.1, `the board's sound starts with its first picture or a little after (${sound.startS} s)`);
    assert.deepEqual([before.fragmented, after.fragmented], [true, false]);
    assert.deepEqual(after.tracks[1], sound, 'and sees the same sound track in the progressive file');
  });
}
