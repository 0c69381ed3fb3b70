// The golden vectors, MicroPython side: the agent that runs on stock CanMV firmware decodes every
// vector frame to its fields and encodes it back to its bytes, recovers the damaged streams'
// frames, takes the stated frames from the host's text-safe lines among noise, and muxes
// fmp4.vec's access units and chunks of sound to the C agent's bytes, in the real MicroPython VM
// (the one the simulated stock board runs).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.join(__dirname, '..', '..');
const agentDir = path.join(root, 'device-agent', 'micropython');

const CHECK = `
import sys, json, binascii, struct
sys.path.insert(0, '/agent')
import wire as a
import mp4

def sections(name):
    out = []
    for line in open('/vectors/' + name).read().split('\\n'):
        if not line or line.startswith('#'):
            continue
        if line.startswith('['):
            out.append([line[1:-1], b'', []])
        elif line.startswith('frame = ') or line.startswith('stream = '):
            out[-1][1] = binascii.unhexlify(line.split(' = ')[1])
        else:
            out[-1][2].append(line)
    return out

results = []
for name, data, fields in sections('messages.vec'):
    frames = a.FrameDecoder(a.MAX_REQUEST * 64).push(data)
    if len(frames) != 1:
        results.append([name, 'frames: %d' % len(frames)])
        continue
    type_, flags, id_, payload = frames[0]
    m = a.decode_payload(type_, payload)
    dump = a.dump_message(type_, id_, m)
    again = a.encode_payload(type_, m)
    head = a.frame_head(type_, id_, len(again))
    frame = head + again + struct.pack('<I', binascii.crc32(again, binascii.crc32(head)))
    results.append([name, dump == fields and frame == data, dump, fields])
for name, data, fields in sections('streams.vec'):
    d = a.FrameDecoder(a.MAX_REQUEST * 64)
    ids = []
    for at in range(0, len(data), 5):
        for type_, flags, id_, payload in d.push(data[at:at + 5]):
            ids.append('%x/%d' % (type_, id_))
    got = ['frames = ' + ' '.join(ids), 'skipped_bytes = %d' % d.skipped, 'header_errors = %d' % d.header_errors,
           'crc_errors = %d' % d.crc_errors]
    results.append([name, got == fields, got, fields])
for name, data, fields in sections('lines.vec'):
    lines = a.LineFrames()
    ids = []
    for at in range(0, len(data), 5):
        for type_, flags, id_, payload in lines.push(data[at:at + 5]):
            ids.append('%x/%d' % (type_, id_))
    got = ['frames = ' + ' '.join(ids)]
    results.append([name, got == fields, got, fields])
for name, data, fields in sections('fmp4.vec'):
    f = dict(line.split(' = ', 1) for line in fields)
    n = lambda key: int(f[key])
    if 'chunk' in f:
        chunk = binascii.unhexlify(f['chunk'])
        head = mp4.fragment_head(n('number'), mp4.AUDIO_TRACK, mp4.sound_decode_time(n('since_us'), n('audio_rate')),
                                 len(chunk), len(chunk), True)
        got = ['fmp4 = ' + binascii.hexlify(head + chunk).decode()]
    elif 'number' in f:
        sample = mp4.sample_bytes(mp4.split_annexb(binascii.unhexlify(f['access_unit'])))
        head = mp4.fragment_head(n('number'), mp4.VIDEO_TRACK, mp4.picture_decode_time(n('since_us')),
                                 mp4.TIMESCALE // n('fps'), len(sample), n('keyframe') == 1)
        got = ['fmp4 = ' + binascii.hexlify(head + sample).decode()]
    else:
        nals = mp4.split_annexb(binascii.unhexlify(f['access_unit']))
        track = mp4.track_from_keyframe(n('codec'), n('width'), n('height'), nals)
        init = mp4.init_segment(track, (n('audio'), n('audio_rate')) if n('audio') else None)
        got = ['codec_string = ' + track['info']['codec_string'], 'fmp4 = ' + binascii.hexlify(init).decode()]
    want = [line for line in fields if line.startswith('codec_string = ') or line.startswith('fmp4 = ')]
    results.append([name, got == want, got, want])
print(json.dumps(results))
`;

test('the MicroPython agent decodes, dumps and re-encodes every golden vector, recovers every damaged stream, takes the stated frames from the host\'s lines, and muxes the fMP4 vectors byte for byte', async () => {
  const { loadMicroPython } = await import('@micropython/micropython-webassembly-pyscript');
  let out = '';
  const mp = await loadMicroPython({ heapsize: 8 * 1024 * 1024, linebuffer: false, stdout: (b) => (out += Buffer.from(b).toString()) });
  mp.FS.mkdir('/agent');
  for (const name of fs.readdirSync(agentDir).filter((f) => f.endsWith('.py'))) mp.FS.writeFile(`/agent/${name}`, fs.readFileSync(path.join(agentDir, name)));
  mp.FS.mkdir('/vectors');
  for (const file of ['messages.vec', 'streams.vec', 'lines.vec', 'fmp4.vec']) mp.FS.writeFile(`/vectors/${file}`, fs.readFileSync(path.join(root, 'test', 'vectors', file)));
  mp.runPython(CHECK);
  const results = JSON.parse(out) as [string, boolean, string[], string[]][];
  const sections = (file: string) => fs.readFileSync(path.join(root, 'test', 'vectors', file), 'utf8').split('\n').filter((l) => l.startsWith('[')).length;
  assert.equal(results.length, sections('messages.vec') + sections('streams.vec') + sections('lines.vec') + sections('fmp4.vec'));
  for (const [name, ok, got, want] of results) assert.ok(ok, `[${name}]: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
});
