// Writes the golden vectors, once, from hand-chosen values: `npx tsx test/vectors/make-vectors.ts`.
// Both implementations are then held to the committed files; a change to them is a protocol change.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeFrame, FrameDecoder } from '../../src/protocol/framing';
import { AudioCodec, Codec, dumpMessage, encodePayload, FileType, Message, MessageType, Profile, Source } from '../../src/protocol/messages';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const frameOf = (m: Message) => encodeFrame(m.type, m.id, encodePayload(m));

// An ftyp box and the head of a moof, standing in for the opaque media bytes.
const ftyp = Uint8Array.from(Buffer.from('000000206674797069736f360000000069736f3669736f356d70343161766331', 'hex'));
const moof = Uint8Array.from(Buffer.from('0000006c6d6f6f66000000106d666864000000000000002a', 'hex'));

const messages: [string, Message][] = [
  ['hello', { type: MessageType.Hello, id: 1, protocolVersion: 3, hostName: 'k230live' }],
  ['hello from a future host', { type: MessageType.Hello, id: 2, protocolVersion: 4, hostName: 'k230live 9.0' }],
  ['stream start 720p30 h264', { type: MessageType.StreamStart, id: 3, settings: { width: 1280, height: 720, fps: 30, codec: Codec.H264, profile: Profile.High, bitrateKbps: 4000, gop: 30, audio: AudioCodec.G711U, audioRate: 8000, source: Source.Camera } }],
  ['stream start 1080p25 h265', { type: MessageType.StreamStart, id: 0x01020304, settings: { width: 1920, height: 1080, fps: 25, codec: Codec.H265, profile: Profile.Main, bitrateKbps: 12000, gop: 50, audio: AudioCodec.G711A, audioRate: 16000, source: Source.Follow } }],
  ['stream start of the display', { type: MessageType.StreamStart, id: 4, settings: { width: 640, height: 480, fps: 30, codec: Codec.H264, profile: Profile.Main, bitrateKbps: 2000, gop: 30, audio: AudioCodec.Off, audioRate: 0, source: Source.Display } }],
  ['stream stop', { type: MessageType.StreamStop, id: 5 }],
  ['request idr', { type: MessageType.RequestIdr, id: 6 }],
  ['set bitrate', { type: MessageType.SetBitrate, id: 7, bitrateKbps: 2500 }],
  ['ping', { type: MessageType.Ping, id: 8, hostTimeUs: 1732200000123456n }],
  ['ok', { type: MessageType.Ok, id: 9 }],
  ['hello reply', { type: MessageType.HelloReply, id: 1, protocolVersion: 3, agentVersion: '0.1.0', boardName: 'CanMV K230 \u2116 1', codecs: 3, maxWidth: 1920, maxHeight: 1080, maxFps: 60, storage: true, audioCodecs: 3, scripts: false, sources: 1 }],
  ['hello reply from a stock board', { type: MessageType.HelloReply, id: 1, protocolVersion: 5, agentVersion: 'micropython 0.5.0', boardName: 'k230_canmv', codecs: 3, maxWidth: 1920, maxHeight: 1080, maxFps: 30, storage: true, audioCodecs: 3, scripts: true, sources: 3 }],
  ['pong', { type: MessageType.Pong, id: 8, hostTimeUs: 1732200000123456n, boardTimeUs: 0xfedcba9876543210n }],
  ['error unsupported version', { type: MessageType.Error, id: 2, code: 1, message: 'agent speaks protocol version 3, the host asked for 4' }],
  ['init segment', { type: MessageType.InitSegment, id: 0, codec: Codec.H264, width: 1280, height: 720, codecString: 'avc1.42c01f', audio: AudioCodec.G711U, audioRate: 8000, source: Source.Camera, data: ftyp }],
  ['init segment without sound', { type: MessageType.InitSegment, id: 0, codec: Codec.H265, width: 1920, height: 1080, codecString: 'hev1.1.6.L120.90', audio: AudioCodec.Off, audioRate: 0, source: Source.Display, data: ftyp }],
  ['keyframe fragment', { type: MessageType.Fragment, id: 0, sequence: 42, ptsUs: 5000033333n, flags: 1, dropped: 0, data: moof }],
  ['fragment after drops', { type: MessageType.Fragment, id: 0, sequence: 0xffffffff, ptsUs: 1n, flags: 0, dropped: 17, data: new Uint8Array(0) }],
  ['audio fragment', { type: MessageType.AudioFragment, id: 0, sequence: 7, ptsUs: 5000020000n, dropped: 3, data: moof }],
  ['file list', { type: MessageType.FileList, id: 20, path: '/sdcard/examples' }],
  ['file stat', { type: MessageType.FileStat, id: 21, path: '/sdcard/rec-20261121-101500.mp4' }],
  ['file read', { type: MessageType.FileRead, id: 22, path: '/sdcard/é/视频.264', offset: 0x1_0000_0000n, length: 262144 }],
  ['file checksum', { type: MessageType.FileChecksum, id: 23, path: 'relative/a.mp4' }],
  ['file delete', { type: MessageType.FileDelete, id: 24, path: '/sdcard/../etc/passwd' }],
  ['storage info', { type: MessageType.StorageInfo, id: 25 }],
  ['board record start', { type: MessageType.BoardRecordStart, id: 26, path: '', settings: { width: 1280, height: 720, fps: 30, codec: Codec.H265, profile: Profile.Main, bitrateKbps: 6000, gop: 60, audio: AudioCodec.Off, audioRate: 0, source: Source.Camera } }],
  ['board record stop', { type: MessageType.BoardRecordStop, id: 27 }],
  ['board record status', { type: MessageType.BoardRecordStatus, id: 28 }],
  ['file write', { type: MessageType.FileWrite, id: 31, path: '/sdcard/apps/视频.py.k230part', offset: 0x1_0000_0000n, data: Uint8Array.from(Buffer.from('print(1)\n')) }],
  ['file write that creates', { type: MessageType.FileWrite, id: 32, path: '/sdcard/main.py', offset: 0n, data: new Uint8Array(0) }],
  ['file rename', { type: MessageType.FileRename, id: 33, path: '/sdcard/apps/a.py.k230part', to: '/sdcard/apps/a.py', replace: true }],
  ['file mkdir', { type: MessageType.FileMkdir, id: 34, path: '/sdcard/apps' }],
  ['script run', { type: MessageType.ScriptRun, id: 35, name: 'hello.py', source: Uint8Array.from(Buffer.from('print("你好 🙂")\n')) }],
  ['script input', { type: MessageType.ScriptInput, id: 36, data: Uint8Array.from(Buffer.from('world\n')) }],
  ['script stop', { type: MessageType.ScriptStop, id: 37, force: false }],
  ['script stop by force', { type: MessageType.ScriptStop, id: 38, force: true }],
  ['script output', { type: MessageType.ScriptOutput, id: 0, dropped: 0, data: Uint8Array.from(Buffer.from('tick 1\n')) }],
  ['script output after a loss', { type: MessageType.ScriptOutput, id: 0, dropped: 65536, data: new Uint8Array(0) }],
  ['script ended', { type: MessageType.ScriptEnded, id: 0, how: 0, elapsedUs: 1_500_000n, line: 0, traceback: new Uint8Array(0) }],
  ['script ended by an exception', { type: MessageType.ScriptEnded, id: 0, how: 1, elapsedUs: 20_000n, line: 3, traceback: Uint8Array.from(Buffer.from('Traceback (most recent call last):\n  File "boom.py", line 3, in <module>\nZeroDivisionError: divide by zero\n')) }],
  ['sources: the camera and a script\'s display, the display streamed', { type: MessageType.Sources, id: 0, available: 3, live: 1 }],
  ['sources: nothing to stream', { type: MessageType.Sources, id: 0, available: 0, live: 0xff }],
  ['file list reply', { type: MessageType.FileListReply, id: 20, truncated: false, entries: [
    { fileType: FileType.Directory, size: 0n, mtimeMs: 1732183200000n, name: 'examples' },
    { fileType: FileType.File, size: 123456789n, mtimeMs: 1732183201234n, name: 'rec-20261121-101500.mp4' },
    { fileType: FileType.Other, size: 0n, mtimeMs: 0n, name: 'a link with spaces' },
  ] }],
  ['file list reply empty and truncated', { type: MessageType.FileListReply, id: 29, truncated: true, entries: [] }],
  ['file stat reply', { type: MessageType.FileStatReply, id: 21, fileType: FileType.File, size: 0xffff_ffff_ffffn, mtimeMs: 1732183201234n }],
  ['file data', { type: MessageType.FileData, id: 22, offset: 0x1_0000_0000n, data: Uint8Array.of(0, 0, 0, 1, 0x67, 0x42) }],
  ['file data at the end of the file', { type: MessageType.FileData, id: 30, offset: 999n, data: new Uint8Array(0) }],
  ['file checksum reply', { type: MessageType.FileChecksumReply, id: 23, size: 3n, sha256: Uint8Array.from(Buffer.from('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'hex')) }],
  ['storage info reply', { type: MessageType.StorageInfoReply, id: 25, total: 31_914_983_424n, available: 12_345_678_848n }],
  ['board recording reply', { type: MessageType.BoardRecording, id: 26, active: true, path: '/sdcard/rec-20261121-101500.mp4', elapsedUs: 0n, bytes: 0n, frames: 0, dropped: 0, error: 0, message: '' }],
  ['board recording stopped: card full', { type: MessageType.BoardRecording, id: 0, active: false, path: '/sdcard/rec-20261121-101500.mp4', elapsedUs: 61_033_333n, bytes: 48_123_904n, frames: 1832, dropped: 2, error: 11, message: 'the card is full: recording stopped, the file is complete up to here' }],
];

let out = '# K230 Live golden vectors: each section is one frame, its bytes and the fields it decodes to.\n';
out += '# Generated by make-vectors.ts; checked by device-agent/tests/test_vectors.c and test/unit/vectors.test.ts.\n';
for (const [name, m] of messages) {
  out += `\n[${name}]\nframe = ${hex(frameOf(m))}\n${dumpMessage(m).join('\n')}\n`;
}

// A stream with every kind of damage; the frames that survive are stated by hand.
const ok = (id: number) => frameOf({ type: MessageType.Ok, id });
const bitrate = (id: number) => frameOf({ type: MessageType.SetBitrate, id, bitrateKbps: 1000 * id });
const flipped = bitrate(3);
flipped[20] ^= 0x04;
const cut = bitrate(4);
const dropped = Uint8Array.from([...cut.subarray(0, 18), ...cut.subarray(19)]);
const pieces = [
  ok(1),
  Uint8Array.from(Buffer.from('>>> \r\nK2K\x00garbage', 'latin1')),
  ok(2),
  flipped,
  dropped,
  ok(5),
  Uint8Array.from([0x4b, 0x32]),
  bitrate(6),
];
const stream = Uint8Array.from(pieces.flatMap((p) => [...p]));
const decoder = new FrameDecoder();
const got = decoder.push(stream).map((f) => `${f.type.toString(16)}/${f.id}`).join(' ');
const expected = '80/1 80/2 80/5 5/6';
if (got !== expected) throw new Error(`decoder gave ${got}, expected ${expected}`);
let streams = '# K230 Live golden streams: damaged byte streams and the frames a decoder must recover.\n';
streams += `\n[garbage, a flipped bit, a dropped byte, a lone magic]\nstream = ${hex(stream)}\nframes = ${expected}\n`;
streams += `skipped_bytes = ${decoder.stats.skippedBytes}\nheader_errors = ${decoder.stats.headerErrors}\ncrc_errors = ${decoder.stats.crcErrors}\n`;

// The host's text-safe lines among what else reaches an agent: the frames of whole lines survive,
// whatever came before them (docs/protocol.md, "The text-safe link"); stated by hand.
const line = (frame: Uint8Array) => `${Buffer.from(frame).toString('base64')}\n`;
const cutLine = line(bitrate(13)).slice(0, 20);
const damagedLine = line(bitrate(17)).replace(/^(.{10})./, (_, head: string) => `${head}${line(bitrate(17))[10] === 'A' ? 'B' : 'A'}`);
const lineText = [
  line(ok(11)),
  '\x02', // the probe's Ctrl-B after a silent port, with no line end
  line(ok(12)),
  cutLine, // a line cut when a port closed...
  '\r\x03\x03\x02', // ...then a probe's bytes
  line(ok(14)).replace('\n', '\r\n'), // CRLF
  '!bye\nprint(1)\n\n',
  line(bitrate(15)).slice(0, 12) + '!' + line(ok(16)), // '!' starts a line that holds no frame
  damagedLine,
  'AB=C' + line(ok(18)).slice(4), // padding inside a line
  line(bitrate(19)),
].join('');
const lineFrames = '80/11 80/12 80/14 5/19';
let lines = '# K230 Live golden lines: the text-safe lines a host sends, among noise, and the frames an agent takes from them.\n';
lines += `\n[a probe's Ctrl-B, a cut line, CRLF, a command, a damaged line, bad padding]\nstream = ${hex(Buffer.from(lineText, 'latin1'))}\nframes = ${lineFrames}\n`;

fs.writeFileSync(path.join(__dirname, 'messages.vec'), out);
fs.writeFileSync(path.join(__dirname, 'streams.vec'), streams);
fs.writeFileSync(path.join(__dirname, 'lines.vec'), lines);

// G.711's 256 codes of each law as ffmpeg (pcm_alaw, pcm_mulaw) expands them: an outside reference
// for the agent's software codec and the webview's decoder alike.
const expand = (format: string) => {
  const pcm = execFileSync('ffmpeg', ['-v', 'error', '-f', format, '-ar', '8000', '-ac', '1', '-i', '-', '-f', 's16le', '-'], { input: Buffer.from(Array.from({ length: 256 }, (_, i) => i)) });
  return Array.from(new Int16Array(pcm.buffer, pcm.byteOffset, 256)).join(' ');
};
let g711 = '# G.711: each law\'s 256 codes, in order, as 16-bit samples; expanded by ffmpeg (make-vectors.ts).\n';
g711 += `# Checked by device-agent/tests/test_audio.c and test/unit/g711.test.ts.\nalaw = ${expand('alaw')}\nulaw = ${expand('mulaw')}\n`;
fs.writeFileSync(path.join(__dirname, 'g711.vec'), g711);

// fMP4: what both agents' muxers make of the same access units and chunks of sound. The access
// units are libx264's and libx265's (64x64, two pictures, SEI left out); the bytes are the C agent's
// (device-agent/src/fmp4.c, through test_vectors --print-fmp4), read back by ffprobe below.
const nalUnits = (stream: Buffer) =>
  stream.toString('latin1').split(/\x00\x00\x01/).slice(1).map((n) => Buffer.from(n.replace(/\x00+$/, ''), 'latin1'));
const annexB = (nals: Buffer[]) => Buffer.concat(nals.flatMap((n) => [Buffer.from([0, 0, 0, 1]), n]));
function twoPictures(encoder: 'libx264' | 'libx265', fps: number): [Buffer, Buffer] {
  const params = encoder === 'libx265' ? ['-x265-params', 'log-level=error'] : [];
  const stream = execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=64x64:rate=${fps}`, '-frames:v', '2',
    '-c:v', encoder, ...params, '-bf', '0', '-pix_fmt', 'yuv420p', '-f', encoder === 'libx264' ? 'h264' : 'hevc', '-']);
  const h264 = encoder === 'libx264';
  const kind = (n: Buffer) => (h264 ? n[0] & 0x1f : (n[0] >> 1) & 0x3f);
  const kept = nalUnits(stream).filter((n) => (h264 ? ![6, 9].includes(kind(n)) : ![35, 39, 40].includes(kind(n))));
  const firstSlice = kept.findIndex((n) => (h264 ? [1, 5].includes(kind(n)) : kind(n) < 32));
  return [annexB(kept.slice(0, firstSlice + 1)), annexB(kept.slice(firstSlice + 1))];
}
const chunk = (samples: number) => Buffer.from(Array.from({ length: samples }, (_, i) => (i * 37) & 0xff)); // the muxer does not look inside
const fmp4Inputs: [string, Record<string, number | string>][] = [];
for (const v of [
  { name: 'h264', codec: Codec.H264, encoder: 'libx264', fps: 30, picture_us: 33333, audio: AudioCodec.G711U, rate: 8000, numbers: [1, 2, 3], sound_us: 20063 },
  { name: 'h265', codec: Codec.H265, encoder: 'libx265', fps: 25, picture_us: 40000, audio: AudioCodec.G711A, rate: 16000, numbers: [7, 8, 9], sound_us: 20040 },
] as const) {
  const [keyframe, next] = twoPictures(v.encoder, v.fps);
  const size = { codec: v.codec, width: 64, height: 64 };
  fmp4Inputs.push(
    [`${v.name} init segment`, { ...size, audio: AudioCodec.Off, audio_rate: 0, access_unit: hex(keyframe) }],
    [`${v.name} init segment with sound`, { ...size, audio: v.audio, audio_rate: v.rate, access_unit: hex(keyframe) }],
    [`${v.name} keyframe fragment`, { codec: v.codec, number: v.numbers[0], fps: v.fps, since_us: 0, keyframe: 1, access_unit: hex(keyframe) }],
    [`${v.name} non-keyframe fragment`, { codec: v.codec, number: v.numbers[1], fps: v.fps, since_us: v.picture_us, keyframe: 0, access_unit: hex(next) }],
    [`${v.name} sound chunk`, { number: v.numbers[2], audio_rate: v.rate, since_us: v.sound_us, chunk: hex(chunk(v.rate / 50)) }],
  );
}
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-fmp4-vec-'));
const inputs = path.join(scratch, 'inputs.vec');
fs.writeFileSync(inputs, fmp4Inputs.map(([name, fields]) => `\n[${name}]\n${Object.entries(fields).map(([k, v]) => `${k} = ${v}\n`).join('')}`).join(''));
const agent = path.join(__dirname, '..', '..', 'device-agent');
execFileSync('make', ['-s', '-C', agent, 'build/tests/test_vectors']);
const muxed = execFileSync(path.join(agent, 'build', 'tests', 'test_vectors'), ['--print-fmp4', inputs], { encoding: 'utf8' });
const bytesOf = (name: string) => Buffer.from(new RegExp(`\\[${name}\\][^[]*?\\nfmp4 = ([0-9a-f]+)`).exec(muxed)![1], 'hex');

// ffprobe reads each codec's init segment with sound, both pictures and the chunk as the agents mean them.
for (const v of [
  { name: 'h264', video: 'h264', sound: 'pcm_mulaw', rate: 8000, duration: 3000, times: [0, 2999], sound_time: 161 },
  { name: 'h265', video: 'hevc', sound: 'pcm_alaw', rate: 16000, duration: 3600, times: [0, 3600], sound_time: 321 },
]) {
  const file = path.join(scratch, `${v.name}.mp4`);
  fs.writeFileSync(file, Buffer.concat(['init segment with sound', 'keyframe fragment', 'non-keyframe fragment', 'sound chunk'].map((p) => bytesOf(`${v.name} ${p}`))));
  const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_packets', '-of', 'json', file], { encoding: 'utf8' }));
  const [video, sound] = probe.streams;
  assert.deepEqual([video.codec_name, video.width, video.height, sound.codec_name, Number(sound.sample_rate), sound.channels], [v.video, 64, 64, v.sound, v.rate, 1], v.name);
  const packets = (i: number) => probe.packets.filter((p: { stream_index: number }) => p.stream_index === i);
  assert.deepEqual(packets(0).map((p: { pts: number; duration: number; flags: string }) => [p.pts, p.duration, p.flags[0]]), v.times.map((t, i) => [t, v.duration, i ? '_' : 'K']), v.name);
  assert.deepEqual(packets(1).map((p: { pts: number; size: string }) => [p.pts, Number(p.size)]), [[v.sound_time, v.rate / 50]], v.name);
  assert.equal(execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), '', v.name);
  fs.writeFileSync(file, Buffer.concat(['init segment', 'keyframe fragment'].map((p) => bytesOf(`${v.name} ${p}`))));
  const alone = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file], { encoding: 'utf8' }));
  assert.deepEqual(alone.streams.map((s: { codec_name: string }) => s.codec_name), [v.video], `${v.name} without sound`);
}
fs.rmSync(scratch, { recursive: true, force: true });
let fmp4 = "# K230 Live golden fMP4: what the agents' muxers make of the same access units and chunks of sound,\n";
fmp4 += '# byte for byte: an init segment (codec_string, fmp4) from a keyframe, or one fragment (fmp4: moof, mdat\n';
fmp4 += "# and its sample) placed at since_us after the stream's first picture. Generated by make-vectors.ts\n";
fmp4 += '# (libx264 and libx265 pictures, device-agent/src/fmp4.c\'s bytes, read back by ffprobe); checked by\n';
fmp4 += '# device-agent/tests/test_vectors.c and test/unit/micropython-vectors.test.ts.\n';
fs.writeFileSync(path.join(__dirname, 'fmp4.vec'), fmp4 + muxed);
