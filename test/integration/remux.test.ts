// k230live convert on a fragmented recording: a moov-first MP4 with the same samples, timestamps and frames, and
// the same chunks of sound at the same times, gaps included; k230live inspect tells the two apart and counts what
// they hold.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { SimulatedBoard, startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { CliResult, runCli } from '../support/cli';
import { decodeErrors, probeStreams, probeVideo } from '../support/media';
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

interface InspectedTrack {
  id: number;
  type: string;
  codec: string;
  width: number;
  height: number;
  sampleRate?: number;
  channels?: number;
  samples?: number;
  gaps?: { atS: number; durationS: number }[];
  startS: number;
  durationS: number;
  frames: number;
  keyframes: number;
}

interface Inspection {
  bytes: number;
  fragmented: boolean;
  moovBeforeMdat: boolean;
  tracks: InspectedTrack[];
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
  test(`a ${codec} recording without sound (one fragment per frame) becomes a moov-first MP4 with the same 90 frames`, async () => {
    const recording = path.join(dir, `recording-${codec}.mp4`);
    await ok(['record', '--port', board.portPath, '--frames', '90', '--gop', '30', '--codec', codec, '--width', '640', '--height', '360', '--audio', 'off', '--out', recording]);
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
    // The progressive copy names a complete H.265 sample entry hvc1 (Apple's players take no hev1); the
    // parameter sets stay in the samples too.
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
  assert.match(lines[1], /^\s+track\s+type\s+codec\s+format\s+frames\s+keyframes\s+duration$/);
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

/** Every packet of the file's video or sound as ffprobe lists it: presentation time in ticks and in seconds, size. */
function packets(file: string, kind: 'a' | 'v'): string[] {
  return execFileSync('ffprobe', ['-v', 'error', '-select_streams', `${kind}:0`, '-show_entries', 'packet=pts,pts_time,size', '-of', 'csv=p=0', file], { maxBuffer: 64 << 20 })
    .toString()
    .trim()
    .split('\n');
}

/** The MD5 of the decoded sound: the same G.711 bytes decode to the same samples. */
function soundHash(file: string): string {
  return execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-map', '0:a', '-f', 'md5', '-']).toString().trim();
}

interface RawBox {
  type: string;
  start: number;
  end: number;
}

/** The boxes inside [start, end), walked here rather than by the code under test. */
function rawChildren(b: Buffer, start: number, end: number): RawBox[] {
  const out: RawBox[] = [];
  for (let at = start; at + 8 <= end; ) {
    const size = b.readUInt32BE(at) || end - at;
    out.push({ type: b.toString('latin1', at + 4, at + 8), start: at, end: at + size });
    at += size;
  }
  return out;
}

function rawChild(b: Buffer, parent: RawBox, type: string): RawBox {
  const found = rawChildren(b, parent.start + 8, parent.end).find((c) => c.type === type);
  if (!found) throw new Error(`no ${type} in ${parent.type}`);
  return found;
}

/** The boxes in each trak's stbl, trak by trak. */
function sampleTableBoxes(file: string): string[][] {
  const b = fs.readFileSync(file);
  const moov = rawChildren(b, 0, b.length).find((c) => c.type === 'moov')!;
  return rawChildren(b, moov.start + 8, moov.end)
    .filter((c) => c.type === 'trak')
    .map((trak) => {
      const stbl = ['mdia', 'minf', 'stbl'].reduce((box, type) => rawChild(b, box, type), trak);
      return rawChildren(b, stbl.start + 8, stbl.end).map((c) => c.type);
    });
}

/** The recording less its `n`th fragment of sound (moof and mdat, track 2): a chunk lost on the way. */
function withoutSoundChunk(file: string, out: string, n: number): void {
  const b = fs.readFileSync(file);
  const top = rawChildren(b, 0, b.length);
  const trackOf = (moof: RawBox) => b.readUInt32BE(rawChild(b, rawChild(b, moof, 'traf'), 'tfhd').start + 12);
  const sound = top.flatMap((box, i) => (box.type === 'moof' && trackOf(box) === 2 ? [i] : []));
  const i = sound[n];
  assert.equal(top[i + 1].type, 'mdat', 'a moof of sound is followed by its mdat');
  fs.writeFileSync(out, Buffer.concat([b.subarray(0, top[i].start), b.subarray(top[i + 1].end)]));
}

/** Where the sound stops for a while, from ffprobe's packet times alone: a chunk's 20 ms end before the next one begins. */
function probedGaps(chunks: string[]): { atS: number; durationS: number }[] {
  const times = chunks.map((p) => Number(p.split(',')[1]));
  return times.flatMap((t, i) => (i + 1 < times.length && times[i + 1] - (t + 0.02) > 1e-4 ? [{ atS: t + 0.02, durationS: times[i + 1] - t - 0.02 }] : []));
}

/** The gaps inspect found are those ffprobe's times show (to ffprobe's microseconds). */
function assertGaps(seen: InspectedTrack['gaps'], probed: { atS: number; durationS: number }[], what: string): void {
  assert.equal(seen?.length, probed.length, `${what}: ${JSON.stringify(seen)} vs ${JSON.stringify(probed)}`);
  seen!.forEach((g, i) => assert.ok(Math.abs(g.atS - probed[i].atS) < 1e-5 && Math.abs(g.durationS - probed[i].durationS) < 1e-5, `${what}: gap ${i} ${JSON.stringify(g)}`));
}

const SOUND = [
  { audio: 'g711u', rate: 8000, codec: 'h264', probed: 'pcm_mulaw', entry: 'ulaw' },
  { audio: 'g711a', rate: 16000, codec: 'h265', probed: 'pcm_alaw', entry: 'alaw' },
] as const;

for (const { audio, rate, codec, probed, entry } of SOUND) {
  test(`a ${codec} recording with ${audio} sound at ${rate} Hz keeps every 20 ms chunk, at its time, in the moov-first MP4`, async () => {
    const recording = path.join(dir, `sound-${audio}.mp4`);
    await ok(['record', '--port', board.portPath, '--seconds', '2', '--codec', codec, '--width', '640', '--height', '360', '--audio', audio, '--audio-rate', String(rate), '--out', recording]);
    const streams = probeStreams(recording);
    assert.deepEqual(streams, [codec === 'h264' ? 'h264' : 'hevc', `${probed} ${rate} Hz 1 ch`]);
    const chunks = packets(recording, 'a');
    assert.ok(chunks.length >= 80, `about 100 chunks in 2 s (got ${chunks.length})`);
    assert.ok(chunks.every((p) => p.endsWith(`,${rate / 50}`)), `every chunk is 20 ms: ${rate / 50} bytes`);

    const before = await inspect(recording);
    const sound = before.tracks[1];
    assert.deepEqual(
      [sound.id, sound.type, sound.codec, sound.sampleRate, sound.channels, sound.frames, sound.samples],
      [2, 'audio', entry, rate, 1, chunks.length, (chunks.length * rate) / 50],
    );
    // The board drops a chunk when its queue is full (a loaded machine): that is a gap, and inspect must say so.
    assertGaps(sound.gaps, probedGaps(chunks), 'the recording');
    const span = Number(chunks[chunks.length - 1].split(',')[1]) + 0.02 - Number(chunks[0].split(',')[1]);
    assert.ok(Math.abs(sound.durationS - span) < 1e-5, `from the first chunk to the end of the last (${sound.durationS} vs ${span} s)`);

    const progressive = path.join(dir, `sound-${audio}-progressive.mp4`);
    const r = await ok(['convert', recording, progressive, '--faststart']);
    assert.match(r.stdout, new RegExp(`; ${entry} ${rate} Hz mono, ${chunks.length} chunks( \\(\\d+ gaps?\\))?, [\\d.]+ s, \\d+ bytes, moov first\\n$`));
    assert.ok(boxOffset(progressive, 'moov') < boxOffset(progressive, 'mdat'), 'moov before mdat');
    assert.ok(!topLevelBoxes(progressive).some((b) => b.type === 'moof'), 'no fragments left');
    for (const tables of sampleTableBoxes(progressive)) {
      for (const t of ['stsd', 'stts', 'stsz', 'stsc']) assert.ok(tables.includes(t), `${t} in ${tables}`);
      assert.ok(tables.includes('stco') || tables.includes('co64'), `chunk offsets in ${tables}`);
    }

    assert.deepEqual(probeStreams(progressive), streams);
    assert.deepEqual(packets(progressive, 'a'), chunks, 'every chunk one packet, of its size, at its time to the tick');
    assert.deepEqual(packets(progressive, 'v'), packets(recording, 'v'));
    assert.equal(soundHash(progressive), soundHash(recording), 'the same sound');
    assert.deepEqual(frameHashes(progressive), frameHashes(recording), 'the same pictures');
    assert.equal(decodeErrors(progressive), '');

    const after = await inspect(progressive);
    assert.deepEqual(after.tracks[1], sound, 'inspect sees the same sound track');
    assert.deepEqual(
      after.tracks.map((t) => [t.frames, t.keyframes, t.startS, t.durationS]),
      before.tracks.map((t) => [t.frames, t.keyframes, t.startS, t.durationS]),
    );
  });
}

test('a chunk of sound lost on the way stays a gap through the remux: every chunk after it keeps its time', async () => {
  const recording = path.join(dir, 'sound-g711a.mp4');
  const all = packets(recording, 'a');
  const gapped = path.join(dir, 'gap.mp4');
  withoutSoundChunk(recording, gapped, 30);
  const left = packets(gapped, 'a');
  assert.deepEqual(left, [...all.slice(0, 30), ...all.slice(31)], 'the chunks less the one taken out');
  const lostAt = Number(all[30].split(',')[1]);

  const before = await inspect(gapped);
  const gaps = before.tracks[1].gaps!;
  assertGaps(gaps, probedGaps(left), 'the recording less a chunk');
  assert.equal(gaps.length, probedGaps(all).length + 1, 'one gap more than the recording had');
  const made = gaps.find((g) => Math.abs(g.atS - lostAt) < 1e-5);
  assert.ok(made && Math.abs(made.durationS - 0.02) < 1e-9, `a 20 ms gap where the chunk was, at ${lostAt} s: ${JSON.stringify(gaps)}`);

  const progressive = path.join(dir, 'gap-progressive.mp4');
  const r = await ok(['convert', gapped, progressive]);
  assert.match(r.stdout, new RegExp(`alaw 16000 Hz mono, ${left.length} chunks \\(${gaps.length === 1 ? '1 gap' : `${gaps.length} gaps`}\\)`));
  assert.deepEqual(packets(progressive, 'a'), left, 'no chunk moved to fill the gap');
  assert.deepEqual(packets(progressive, 'v'), packets(gapped, 'v'));
  assert.equal(soundHash(progressive), soundHash(gapped));
  assert.equal(decodeErrors(progressive), '');
  const after = await inspect(progressive);
  assert.deepEqual(after.tracks[1], before.tracks[1], 'inspect finds the same gap in the progressive file');

  const lines = (await ok(['inspect', progressive])).stdout.trimEnd().split('\n');
  assert.match(lines[3], /^\s+2\s+audio\s+alaw\s+16000 Hz mono\s+\d+\s+\d+\s+\d+\.\d{3} s$/);
  const missingMs = +gaps.reduce((ms, g) => ms + g.durationS * 1000, 0).toFixed(1);
  // at the gap's time as inspect has it (ffprobe's six decimals of it may round the other way: 0.6135)
  const said = `${gaps.length} ${gaps.length === 1 ? 'gap' : 'gaps'} \\(${missingMs} ms missing\\) at .*${made!.atS.toFixed(3)} s`;
  assert.match(lines[4], new RegExp(`^  sound \\(track 2\\): ${left.length * 320} samples in ${left.length} chunks from \\d\\.\\d{3} s, ${said}`));
});
