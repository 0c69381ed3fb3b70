// k230live convert on a fragmented recording: a moov-first MP4 with the same samples, timestamps and frames;
// k230live inspect tells the two apart and counts what they hold.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { SimulatedBoard, startSimulatedBoard } from '../../src/host/simulated-board';
import { CliResult, runCli } from '../support/cli';
import { decodeErrors, probeVideo } from '../support/media';
import { boxOffset, frameHashes, syncSamples, topLevelBoxes } from '../support/raw-video';

let board: SimulatedBoard;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-remux-'));

before(async () => {
  board = await startSimulatedBoard();
});
after(async () => {
  await board.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function ok(args: string[]): Promise<CliResult> {
  const r = await runCli(args);
  assert.equal(r.code, 0, r.stderr);
  return r;
}

interface Inspection {
  bytes: number;
  fragmented: boolean;
  moovBeforeMdat: boolean;
  tracks: { id: number; type: string; codec: string; width: number; height: number; durationS: number; frames: number; keyframes: number }[];
}

const inspect = async (file: string): Promise<Inspection> => JSON.parse((await ok(['inspect', file, '--json'])).stdout);

/** ffprobe's profile and level, for checking the codec string without our parser. */
function probeLevel(file: string): number {
  return Number(execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=level', '-of', 'csv=p=0', file]).toString().trim());
}

/** The time base and every packet's presentation time in its ticks. */
function packetTimes(file: string): string {
  return execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts:stream=time_base', '-of', 'csv=p=0', file]).toString();
}

/** The remux keeps every sample and its timing: same frames, same decoded pixels, same timestamps, same keyframes. */
function assertSameVideo(remuxed: string, original: string): void {
  const a = probeVideo(remuxed);
  const b = probeVideo(original);
  assert.equal(a.frames, b.frames);
  assert.equal(a.codec, b.codec);
  assert.deepEqual([a.width, a.height], [b.width, b.height]);
  assert.deepEqual(a.pts, b.pts, 'every timestamp kept');
  assert.equal(a.keyframes, b.keyframes);
  assert.deepEqual(frameHashes(remuxed), frameHashes(original), 'every decoded frame is the same');
  assert.equal(decodeErrors(remuxed), '');
}

for (const codec of ['h264', 'h265'] as const) {
  test(`a ${codec} recording (one fragment per frame) becomes a moov-first MP4 with the same 90 frames`, async () => {
    const recording = path.join(dir, `recording-${codec}.mp4`);
    await ok(['record', '--port', board.portPath, '--frames', '90', '--gop', '30', '--codec', codec, '--width', '640', '--height', '360', '--out', recording]);
    const boxes = topLevelBoxes(recording).map((b) => b.type);
    assert.deepEqual(boxes.slice(0, 2), ['ftyp', 'moov']);
    assert.equal(boxes.filter((t) => t === 'moof').length, 90, 'the recorder wrote one fragment per frame');

    const before = await inspect(recording);
    assert.equal(before.fragmented, true);
    assert.equal(before.moovBeforeMdat, true);
    assert.equal(before.bytes, fs.statSync(recording).size);
    assert.equal(before.tracks.length, 1);
    const track = before.tracks[0];
    assert.equal(track.type, 'video');
    assert.equal(track.frames, 90);
    assert.equal(track.keyframes, probeVideo(recording).keyframes);
    assert.ok(track.keyframes >= 3, `a keyframe every 30 frames (got ${track.keyframes})`);
    assert.deepEqual([track.width, track.height], [640, 360]);
    const level = probeLevel(recording);
    if (codec === 'h264') assert.match(track.codec, new RegExp(`^avc1\\.[0-9a-f]{4}${level.toString(16).padStart(2, '0')}$`));
    else assert.match(track.codec, new RegExp(`^hev1\\.1\\.6\\.L${level}(\\.[0-9A-F]{1,2})*$`));

    const progressive = path.join(dir, `progressive-${codec}.mp4`);
    const r = await ok(['convert', recording, progressive]);
    assert.match(r.stdout, /90 frames .*moov first\n$/);
    assert.ok(boxOffset(progressive, 'moov') < boxOffset(progressive, 'mdat'), 'moov before mdat');
    assert.ok(!topLevelBoxes(progressive).some((b) => b.type === 'moof'), 'no fragments left');
    assertSameVideo(progressive, recording);

    const after = await inspect(progressive);
    assert.equal(after.fragmented, false);
    assert.equal(after.moovBeforeMdat, true);
    assert.equal(after.tracks[0].frames, 90);
    assert.equal(after.tracks[0].keyframes, track.keyframes);
    assert.ok(Math.abs(after.tracks[0].durationS - track.durationS) < 1e-6, `same duration (${after.tracks[0].durationS} vs ${track.durationS})`);
    assert.equal((syncSamples(progressive) as number[]).length, track.keyframes, 'the keyframes are the sync samples');
    // mediabunny always names an H.265 sample entry hvc1; the parameter sets stay in the samples too.
    assert.equal(after.tracks[0].codec, codec === 'h264' ? track.codec : track.codec.replace(/^hev1/, 'hvc1'));
  });
}

test('a fragmented MP4 with B-frames at 29.97 fps on a 90 kHz clock keeps its exact timestamps through the remux', async () => {
  const fragmented = path.join(dir, 'ffmpeg-fragmented.mp4');
  execFileSync('ffmpeg', [
    ...['-nostdin', '-y', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30000/1001', '-frames:v', '50'],
    ...['-c:v', 'libx264', '-bf', '2', '-g', '25', '-video_track_timescale', '90000', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', fragmented],
  ]);
  const progressive = path.join(dir, 'ffmpeg-progressive.mp4');
  await ok(['convert', fragmented, progressive]);
  assertSameVideo(progressive, fragmented);
  // Decode times are not compared: mediabunny takes no dts and derives its own from the presentation times.
  assert.equal(packetTimes(progressive), packetTimes(fragmented), 'presentation times to the tick, on the same 90 kHz clock');
  const [a, b] = [await inspect(fragmented), await inspect(progressive)];
  assert.deepEqual([a.fragmented, b.fragmented], [true, false]);
  assert.deepEqual(
    b.tracks.map((t) => [t.frames, t.keyframes, t.codec]),
    a.tracks.map((t) => [t.frames, t.keyframes, t.codec]),
  );
  assert.equal(a.tracks[0].frames, 50);
  assert.equal(a.tracks[0].keyframes, 2);
});

test('inspect and convert say in one line what is not an MP4 they can use', async () => {
  const truncated = path.join(dir, 'truncated.mp4');
  const progressive = fs.readFileSync(path.join(dir, 'progressive-h264.mp4'));
  fs.writeFileSync(truncated, progressive.subarray(0, progressive.length - 1000));
  const text = path.join(dir, 'notes.mp4');
  fs.writeFileSync(text, 'not a video\n');
  for (const [args, pattern] of [
    [['inspect', truncated], /truncated\.mp4 is truncated/],
    [['convert', truncated, path.join(dir, 'x.mp4')], /truncated\.mp4 is truncated/],
    [['inspect', text], /notes\.mp4 is not an MP4/],
    [['inspect', path.join(dir, 'missing.mp4')], /cannot read .*missing\.mp4: no such file/],
    [['convert', path.join(dir, 'progressive-h264.mp4'), path.join(dir, 'y.mp4'), '--fps', '10'], /--fps is for raw H\.264\/H\.265 input/],
  ] as const) {
    const r = await runCli([...args]);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, pattern);
  }
  assert.ok(!fs.existsSync(path.join(dir, 'x.mp4')) && !fs.existsSync(path.join(dir, 'y.mp4')));
});

test('inspect prints a table a person can read', async () => {
  const r = await ok(['inspect', path.join(dir, 'progressive-h264.mp4')]);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0], /progressive-h264\.mp4: \d+ bytes, progressive, moov before mdat$/);
  assert.match(lines[1], /^\s+track\s+type\s+codec\s+size\s+frames\s+keyframes\s+duration$/);
  assert.match(lines[2], /^\s+1\s+video\s+avc1\.[0-9a-f]{6}\s+640x360\s+90\s+\d+\s+\d+\.\d{3} s$/);
});

test('inspect --boxes shows the box tree of a recording: init segment, then one moof per frame', async () => {
  const file = path.join(dir, 'boxes.mp4');
  await ok(['record', '--port', board.portPath, '--frames', '5', '--width', '320', '--height', '240', '--out', file]);
  const tree = (await ok(['inspect', file, '--boxes'])).stdout;
  assert.match(tree, /^ftyp\n/);
  assert.match(tree, /^moov\n[\s\S]*^ {2}mvex\n/m);
  assert.match(tree, /avcC/);
  assert.equal((tree.match(/^moof$/gm) ?? []).length, 4, 'ftyp, moov and the first four fragments');
  assert.match(tree, /baseMediaDecodeTime: 0\b/);
});
