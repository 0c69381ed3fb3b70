# K230 Live agent for the stock CanMV K230 firmware (v1.7 or later, MicroPython 1.21).
# The host uploads this file through the raw REPL's raw-paste mode and runs it; nothing is written
# to the board. It speaks the protocol of docs/protocol.md, as device-agent/src does in C: the
# board's own H.264/H.265 from Encoder.GetStream, muxed here into fragmented MP4, one fragment per
# frame; the file service, confined to /sdcard; board recordings on /sdcard.
# With sound asked for, media.pyaudio's microphone and media.g711's encoder give G.711 in 20 ms
# chunks, a second trak beside the pictures, as device-agent/src/stream.c muxes it.
# Host-to-board frames come text-safe (one base64 line each, docs/protocol.md "The text-safe
# link"), because the firmware turns some binary sequences into its IDE protocol; board-to-host
# frames are binary on sys.stdout.buffer. Only what CanMV's MicroPython 1.21 has is used.
import binascii
import errno
import hashlib
import os
import select
import struct
import sys
import time

AGENT_VERSION = '0.3.0'
PROTOCOL_VERSION = 3
STORAGE_ROOT = '/sdcard'
MAX_REQUEST = 65536
# What a host's line holds: base64 (RFC 4648), and the '!' of "!bye".
LINE_BYTES = b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=!'
FILE_READ_MAX = 256 * 1024
LIST_REPLY_MAX = 512 * 1024
KEEPALIVE_US = 5000000
SYNC_US = 1000000
STALE_US = 300000  # a frame this old when fetched: the link fell behind, drop to the next IDR
TIMESCALE = 90000
VIDEO_TRACK, AUDIO_TRACK = 1, 2  # the sound's timescale is its sample rate
AUDIO_CHUNK_US = 20000  # G.711's 20 ms: rate / 50 samples a chunk, one byte each
LIVE_CHANNEL = 0
RECORD_CHANNEL = 1  # channel 3 belongs to the IDE
MAX_WIDTH, MAX_HEIGHT, MAX_FPS = 1920, 1080, 30  # the sensor is opened at 1080p30

# ---- the messages, described once (the same rows as src/protocol/messages.ts and
# device-agent/src/msg_layouts.h; the golden vectors in test/vectors hold the three together)
SETTINGS = (('width', 'u16'), ('height', 'u16'), ('fps', 'u16'), ('codec', 'codec'), ('profile', 'profile'),
            ('bitrate_kbps', 'u32'), ('gop', 'u16'), ('audio', 'audioCodec'), ('audio_rate', 'u16'))
ENTRY = (('file_type', 'fileType'), ('size', 'u64'), ('mtime_ms', 'u64'), ('name', 'string'))
PATH = (('path', 'path'),)
NONE = ()
RECORDING = (('active', 'flag'), ('path', 'path'), ('elapsed_us', 'u64'), ('bytes', 'u64'), ('frames', 'u32'),
             ('dropped', 'u32'), ('error', 'u16'), ('message', 'string'))
LAYOUTS = {
    0x01: ('HELLO', 'request', (('protocol_version', 'u16'), ('host_name', 'string'))),
    0x02: ('STREAM_START', 'request', (('settings', 'settings'),)),
    0x03: ('STREAM_STOP', 'request', NONE),
    0x04: ('REQUEST_IDR', 'request', NONE),
    0x05: ('SET_BITRATE', 'request', (('bitrate_kbps', 'u32'),)),
    0x06: ('PING', 'request', (('host_time_us', 'u64'),)),
    0x10: ('FILE_LIST', 'request', PATH),
    0x11: ('FILE_STAT', 'request', PATH),
    0x12: ('FILE_READ', 'request', (('path', 'path'), ('offset', 'u64'), ('length', 'u32'))),
    0x13: ('FILE_CHECKSUM', 'request', PATH),
    0x14: ('FILE_DELETE', 'request', PATH),
    0x15: ('STORAGE_INFO', 'request', NONE),
    0x20: ('BOARD_RECORD_START', 'request', (('path', 'path'), ('settings', 'settings'))),
    0x21: ('BOARD_RECORD_STOP', 'request', NONE),
    0x22: ('BOARD_RECORD_STATUS', 'request', NONE),
    0x80: ('OK', 'reply', NONE),
    0x81: ('HELLO_REPLY', 'reply', (('protocol_version', 'u16'), ('agent_version', 'string'),
                                    ('board_name', 'string'), ('codecs', 'u8'), ('max_width', 'u16'),
                                    ('max_height', 'u16'), ('max_fps', 'u16'), ('storage', 'flag'),
                                    ('audio_codecs', 'u8'))),
    0x86: ('PONG', 'reply', (('host_time_us', 'u64'), ('board_time_us', 'u64'))),
    0x90: ('FILE_LIST_REPLY', 'reply', (('truncated', 'flag'), ('entries', 'entries'))),
    0x91: ('FILE_STAT_REPLY', 'reply', (('file_type', 'fileType'), ('size', 'u64'), ('mtime_ms', 'u64'))),
    0x92: ('FILE_DATA', 'reply', (('offset', 'u64'), ('data', 'rest'))),
    0x93: ('FILE_CHECKSUM_REPLY', 'reply', (('size', 'u64'), ('sha256', 'sha256'))),
    0x95: ('STORAGE_INFO_REPLY', 'reply', (('total', 'u64'), ('available', 'u64'))),
    0xFF: ('ERROR', 'reply', (('code', 'u16'), ('message', 'string'))),
    0xA0: ('INIT_SEGMENT', 'event', (('codec', 'codec'), ('width', 'u16'), ('height', 'u16'),
                                     ('codec_string', 'string'), ('audio', 'audioCodec'), ('audio_rate', 'u16'),
                                     ('data', 'rest'))),
    0xA1: ('FRAGMENT', 'event', (('sequence', 'u32'), ('pts_us', 'u64'), ('flags', 'u8'), ('dropped', 'u32'),
                                 ('data', 'rest'))),
    0xA2: ('BOARD_RECORDING', 'reply or event', RECORDING),
    0xA3: ('AUDIO_FRAGMENT', 'event', (('sequence', 'u32'), ('pts_us', 'u64'), ('dropped', 'u32'), ('data', 'rest'))),
}
NAMES = {}
for _type in LAYOUTS:
    NAMES[LAYOUTS[_type][0]] = _type

E_UNSUPPORTED_VERSION, E_BAD_REQUEST, E_UNKNOWN_REQUEST, E_UNSUPPORTED_SETTING = 1, 2, 3, 4
E_NOT_STREAMING, E_HANDSHAKE_REQUIRED, E_ENCODER, E_NOT_FOUND, E_OUTSIDE_ROOT = 5, 6, 7, 8, 9
E_IO, E_NO_SPACE, E_NO_STORAGE, E_NOT_A_FILE, E_EXISTS = 10, 11, 12, 13, 14
T_FILE, T_DIR, T_OTHER = 1, 2, 3
CODEC_H264, CODEC_H265 = 1, 2
AUDIO_OFF, AUDIO_G711A, AUDIO_G711U = 0, 1, 2


class Malformed(Exception):
    pass


class Reader:
    def __init__(self, data):
        self.data = data
        self.at = 0

    def take(self, n):
        if self.at + n > len(self.data):
            raise Malformed('payload too short')
        b = self.data[self.at:self.at + n]
        self.at += n
        return b

    def unpack(self, fmt, n):
        return struct.unpack(fmt, self.take(n))[0]

    def text(self, n):
        b = bytes(self.take(n))
        if b.find(b'\x00') >= 0:
            raise Malformed('a string holds a NUL')
        return b.decode()


def _read(kind, r):
    if kind in ('u8', 'codec', 'profile', 'audioCodec', 'fileType'):
        return r.unpack('<B', 1)
    if kind == 'flag':
        return 1 if r.unpack('<B', 1) else 0
    if kind == 'u16':
        return r.unpack('<H', 2)
    if kind == 'u32':
        return r.unpack('<I', 4)
    if kind == 'u64':
        return r.unpack('<Q', 8)
    if kind == 'string':
        return r.text(r.unpack('<B', 1))
    if kind == 'path':
        n = r.unpack('<H', 2)
        if n > 1023:
            raise Malformed('path longer than 1023 bytes')
        return r.text(n)
    if kind == 'sha256':
        return bytes(r.take(32))
    if kind == 'rest':
        return bytes(r.take(len(r.data) - r.at))
    if kind == 'settings':
        return read_fields(SETTINGS, r)
    if kind == 'entries':
        return [read_fields(ENTRY, r) for _ in range(r.unpack('<H', 2))]
    raise Malformed('unknown kind ' + kind)


def read_fields(fields, r):
    v = {}
    for name, kind in fields:
        v[name] = _read(kind, r)
    return v


def _write(kind, v, out):
    if kind == 'flag':
        out.append(b'\x01' if v else b'\x00')
    elif kind in ('u8', 'codec', 'profile', 'audioCodec', 'fileType'):
        out.append(struct.pack('<B', v))
    elif kind == 'u16':
        out.append(struct.pack('<H', v))
    elif kind == 'u32':
        out.append(struct.pack('<I', v))
    elif kind == 'u64':
        out.append(struct.pack('<Q', v))
    elif kind == 'string':
        b = v.encode()[:255]
        out.append(struct.pack('<B', len(b)))
        out.append(b)
    elif kind == 'path':
        b = v.encode()
        out.append(struct.pack('<H', len(b)))
        out.append(b)
    elif kind in ('sha256', 'rest'):
        out.append(v)
    elif kind == 'settings':
        write_fields(SETTINGS, v, out)
    elif kind == 'entries':
        out.append(struct.pack('<H', len(v)))
        for e in v:
            write_fields(ENTRY, e, out)


def write_fields(fields, v, out):
    for name, kind in fields:
        _write(kind, v[name], out)


def decode_payload(type_, payload):
    layout = LAYOUTS.get(type_)
    if layout is None:
        raise Malformed('unknown message type 0x%02x' % type_)
    r = Reader(payload)
    m = read_fields(layout[2], r)
    if r.at != len(payload):
        raise Malformed('payload too long')
    return m


def encode_payload(type_, m):
    out = []
    write_fields(LAYOUTS[type_][2], m, out)
    return b''.join(out)


def _text(kind, v):
    if kind in ('sha256', 'rest'):
        return binascii.hexlify(v).decode()
    return str(v)


def dump_message(type_, id_, m):
    """The "key = value" lines the C and TypeScript dumps write too (the golden vectors)."""
    lines = ['type = ' + LAYOUTS[type_][0], 'id = %d' % id_]
    for name, kind in LAYOUTS[type_][2]:
        v = m[name]
        if kind == 'settings':
            for sub, sub_kind in SETTINGS:
                lines.append('%s = %s' % (sub, _text(sub_kind, v[sub])))
        elif kind == 'entries':
            lines.append('count = %d' % len(v))
            for e in v:
                lines.append('entry = ' + ' '.join([_text(k, e[n]) for n, k in ENTRY]))
        else:
            lines.append('%s = %s' % (name, _text(kind, v)))
    return lines


# ---- frames: magic, type, flags, id, length, header CRC, payload, CRC (docs/protocol.md)
def frame_head(type_, id_, length):
    head = struct.pack('<BBBBII', 0x4B, 0x32, type_, 0, id_, length)
    return head + struct.pack('<I', binascii.crc32(head))


class FrameDecoder:
    """Finds frames in a byte stream and resynchronises after damage, byte by byte."""

    def __init__(self, max_payload=MAX_REQUEST):
        self.buf = b''
        self.max_payload = max_payload
        self.skipped = 0
        self.header_errors = 0
        self.crc_errors = 0

    def _skip(self):
        self.buf = self.buf[1:]
        self.skipped += 1

    def push(self, chunk):
        self.buf += chunk
        frames = []
        while self.buf:
            b = self.buf
            if b[0] != 0x4B or (len(b) >= 2 and b[1] != 0x32):
                self._skip()
                continue
            if len(b) < 16:
                break
            _, _, type_, flags, id_, length, hcrc = struct.unpack('<BBBBIII', b[:16])
            if binascii.crc32(b[:12]) != hcrc or length > self.max_payload:
                self.header_errors += 1
                self._skip()
                continue
            end = 16 + length
            if len(b) < end + 4:
                break
            if binascii.crc32(b[:end]) != struct.unpack('<I', b[end:end + 4])[0]:
                self.crc_errors += 1
                self._skip()
                continue
            frames.append((type_, flags, id_, b[16:end]))
            self.buf = b[end + 4:]
        return frames


class LineFrames:
    """The host's text-safe lines (docs/protocol.md, "The text-safe link") into the frames they hold.
    The C twin: device-agent/src/text_frames.c; test/vectors/lines.vec holds both to one rule."""

    def __init__(self):
        self.line = b''
        self.overlong = False  # this line outgrew any frame: dropped at its end
        self.decoder = FrameDecoder()
        self.quit = False  # the line "!bye" came

    def push(self, data):
        frames = []
        for i in range(len(data)):
            c = data[i:i + 1]
            if c == b'\r':
                continue  # a CRLF line, or a REPL probe's CR
            if c != b'\n':
                if c not in LINE_BYTES or c == b'!':
                    # no line holds it (a probe's Ctrl-B, a cut line's tail): the line starts again,
                    # with the '!' that begins a command
                    self.line = c if c == b'!' else b''
                    self.overlong = False
                elif len(self.line) > 4 * MAX_REQUEST // 3 + 8:
                    self.overlong = True
                else:
                    self.line += c
                continue
            line = b'' if self.overlong else self.line
            self.line = b''
            self.overlong = False
            if line == b'!bye':
                self.quit = True
            elif is_base64(line):
                frames += self.decoder.push(binascii.a2b_base64(line))
        return frames


def is_base64(line):
    """Standard base64 with its padding only at the end, as the C agent takes it."""
    n = len(line)
    if n == 0 or n % 4 or b'=' in line[:-2]:
        return False
    return not (line[-2:-1] == b'=' and line[-1:] != b'=')


class Link:
    """The USB port: text-safe lines in, binary frames out."""

    def __init__(self, out, inp):
        """out: where frames go (sys.stdout.buffer); inp: where lines come from (sys.stdin), or None."""
        self.out = out
        self.inp = inp and inp.buffer
        self.poller = select.poll()
        if inp:
            self.poller.register(inp, select.POLLIN)
        self.lines = LineFrames()
        self.heard_us = 0

    def send(self, type_, id_, m, tail=b''):
        payload = encode_payload(type_, m)
        head = frame_head(type_, id_, len(payload) + len(tail))
        crc = binascii.crc32(tail, binascii.crc32(payload, binascii.crc32(head)))
        self.out.write(head)
        self.out.write(payload)
        if tail:
            self.out.write(tail)
        self.out.write(struct.pack('<I', crc))

    def receive(self, wait_ms, now_us):
        """The frames that came within wait_ms (at most one batch of bytes)."""
        if not self.poller.poll(wait_ms):
            return []
        got = b''
        while len(got) < 4096 and self.poller.poll(0):
            c = self.inp.read(1)
            if not c:
                break
            got += c
        if got:
            self.heard_us = now_us
        return self.lines.push(got)


# ---- H.264/H.265 access units and fragmented MP4 (the C twin: device-agent/src/nal.c, fmp4.c)
def split_annexb(data):
    nals = []
    i = data.find(b'\x00\x00\x01')
    while i >= 0:
        start = i + 3
        j = data.find(b'\x00\x00\x01', start)
        end = len(data) if j < 0 else j
        while end > start and data[end - 1] == 0:
            end -= 1
        if end > start:
            nals.append(data[start:end])
        i = j
    return nals


def nal_type(codec, nal):
    return nal[0] & 0x1F if codec == CODEC_H264 else (nal[0] >> 1) & 0x3F


def param_kind(codec, t):
    if codec == CODEC_H264:
        return {7: 'sps', 8: 'pps'}.get(t)
    return {32: 'vps', 33: 'sps', 34: 'pps'}.get(t)


class Bits:
    def __init__(self, data):
        rbsp = bytearray()
        zeros = 0
        for b in data:  # emulation prevention bytes out
            if zeros >= 2 and b == 3:
                zeros = 0
                continue
            zeros = zeros + 1 if b == 0 else 0
            rbsp.append(b)
        self.data = rbsp
        self.pos = 0

    def u(self, n):
        v = 0
        for _ in range(n):
            byte = self.pos >> 3
            bit = (self.data[byte] >> (7 - (self.pos & 7))) & 1 if byte < len(self.data) else 0
            v = (v << 1) | bit
            self.pos += 1
        return v

    def ue(self):
        zeros = 0
        while not self.u(1) and zeros < 32:
            zeros += 1
        return (1 << zeros) - 1 + self.u(zeros)


def sps_info(codec, sps):
    b = Bits(sps[:96])
    s = {'chroma': 1, 'luma_bits': 8, 'chroma_bits': 8}
    if codec == CODEC_H264:
        b.u(8)
        s['profile'], s['constraints'], s['level'] = b.u(8), b.u(8), b.u(8)
        b.ue()
        if s['profile'] in (100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135):
            s['chroma'] = b.ue()
            if s['chroma'] == 3:
                b.u(1)
            s['luma_bits'], s['chroma_bits'] = 8 + b.ue(), 8 + b.ue()
        s['codec_string'] = 'avc1.%02x%02x%02x' % (s['profile'], s['constraints'], s['level'])
        return s
    b.u(16)
    b.u(4)
    s['sub_layers'] = b.u(3) + 1
    s['nesting'] = b.u(1)
    s['space'], s['tier'], s['profile'] = b.u(2), b.u(1), b.u(5)
    s['compat'] = b.u(32)
    s['constraints'] = bytes([b.u(8) for _ in range(6)])
    s['level'] = b.u(8)
    flags = [(b.u(1), b.u(1)) for _ in range(s['sub_layers'] - 1)]
    if s['sub_layers'] > 1:
        b.u(2 * (9 - s['sub_layers']))
    for profile_present, level_present in flags:
        b.u(88 if profile_present else 0)
        b.u(8 if level_present else 0)
    b.ue()
    s['chroma'] = b.ue()
    if s['chroma'] == 3:
        b.u(1)
    b.ue()
    b.ue()
    if b.u(1):
        for _ in range(4):
            b.ue()
    s['luma_bits'], s['chroma_bits'] = 8 + b.ue(), 8 + b.ue()
    reversed_compat = 0
    for i in range(32):
        if s['compat'] & (1 << i):
            reversed_compat |= 1 << (31 - i)
    text = 'hev1.%s%d.%X.%s%d' % (('', 'A', 'B', 'C')[s['space']], s['profile'], reversed_compat,
                                  'H' if s['tier'] else 'L', s['level'])
    last = 5
    while last >= 0 and s['constraints'][last] == 0:
        last -= 1
    for i in range(last + 1):
        text += '.%X' % s['constraints'][i]
    s['codec_string'] = text
    return s


def box(kind, *parts):
    body = b''.join(parts)
    return struct.pack('>I', 8 + len(body)) + kind + body


def full_box(kind, version, flags, *parts):
    return box(kind, struct.pack('>I', (version << 24) | flags), *parts)


MATRIX = struct.pack('>9I', 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def sample_entry(track):
    s = track['info']
    if track['codec'] == CODEC_H264:
        config = struct.pack('>BBBBBB', 1, s['profile'], s['constraints'], s['level'], 0xFF, 0xE1)
        config += struct.pack('>H', len(track['sps'])) + track['sps'] + b'\x01'
        config += struct.pack('>H', len(track['pps'])) + track['pps']
        if s['profile'] in (100, 110, 122, 144):
            config += struct.pack('>BBBB', 0xFC | s['chroma'], 0xF8 | (s['luma_bits'] - 8),
                                  0xF8 | (s['chroma_bits'] - 8), 0)
        config_box, kind = box(b'avcC', config), b'avc1'
    else:
        config = struct.pack('>BB', 1, (s['space'] << 6) | (s['tier'] << 5) | s['profile'])
        config += struct.pack('>I', s['compat']) + s['constraints']
        config += struct.pack('>BHBBBBHBB', s['level'], 0xF000, 0xFC, 0xFC | s['chroma'],
                              0xF8 | (s['luma_bits'] - 8), 0xF8 | (s['chroma_bits'] - 8), 0,
                              ((s['sub_layers'] & 7) << 3) | ((s['nesting'] & 1) << 2) | 3, 3)
        for t, name in ((32, 'vps'), (33, 'sps'), (34, 'pps')):
            config += struct.pack('>BHH', 0x80 | t, 1, len(track[name])) + track[name]
        config_box, kind = box(b'hvcC', config), b'hev1'
    label = b'\x09K230 Live' + bytes(22)
    return box(kind, bytes(6), struct.pack('>H', 1), bytes(16),
               struct.pack('>HHIIIH', track['width'], track['height'], 0x480000, 0x480000, 0, 1),
               label, struct.pack('>HH', 0x18, 0xFFFF), config_box)


def tkhd(track_id, volume, width, height):
    return full_box(b'tkhd', 0, 3, struct.pack('>IIIII', 0, 0, track_id, 0, 0), bytes(8),
                    struct.pack('>HHHH', 0, 0, volume, 0), MATRIX, struct.pack('>II', width << 16, height << 16))


def mdia(timescale, handler, name, media_header, entry):
    """A fragmented track's media: its one sample entry, and empty sample tables (the fragments
    carry the samples)."""
    empty = lambda kind, words=1: full_box(kind, 0, 0, bytes(4 * words))
    stbl = box(b'stbl', full_box(b'stsd', 0, 0, struct.pack('>I', 1), entry),
               empty(b'stts'), empty(b'stsc'), empty(b'stsz', 2), empty(b'stco'))
    minf = box(b'minf', media_header,
               box(b'dinf', full_box(b'dref', 0, 0, struct.pack('>I', 1), full_box(b'url ', 0, 1))), stbl)
    return box(b'mdia', full_box(b'mdhd', 0, 0, struct.pack('>IIIIHH', 0, 0, timescale, 0, 0x55C4, 0)),
               full_box(b'hdlr', 0, 0, bytes(4), handler, bytes(12), name + b'\x00'), minf)


def audio_entry(codec, rate):
    """G.711 as the K230's own muxer writes it: a version-0 AudioSampleEntry, mono, samplesize 16,
    no decoder configuration box."""
    return box(b'alaw' if codec == AUDIO_G711A else b'ulaw', bytes(6), struct.pack('>H', 1), bytes(8),
               struct.pack('>HHII', 1, 16, 0, rate << 16))


def trex(track_id):
    return full_box(b'trex', 0, 0, struct.pack('>IIIII', track_id, 1, 0, 0, 0))


def init_segment(track, audio=None):
    """ftyp+moov: the pictures' trak, and the sound's when audio is (codec, rate)."""
    brand = b'avc1' if track['codec'] == CODEC_H264 else b'hev1'
    traks = [box(b'trak', tkhd(VIDEO_TRACK, 0, track['width'], track['height']),
                 mdia(TIMESCALE, b'vide', b'K230 Live video', full_box(b'vmhd', 0, 1, bytes(8)), sample_entry(track)))]
    trexes = [trex(VIDEO_TRACK)]
    if audio:
        codec, rate = audio
        traks.append(box(b'trak', tkhd(AUDIO_TRACK, 0x0100, 0, 0),  # full volume
                         mdia(rate, b'soun', b'K230 Live sound', full_box(b'smhd', 0, 0, bytes(4)),
                              audio_entry(codec, rate))))
        trexes.append(trex(AUDIO_TRACK))
    mvhd = full_box(b'mvhd', 0, 0, struct.pack('>IIIIIH', 0, 0, 1000, 0, 0x10000, 0x100), bytes(10), MATRIX,
                    bytes(24), struct.pack('>I', (AUDIO_TRACK if audio else VIDEO_TRACK) + 1))
    return box(b'ftyp', b'iso6', bytes(4), b'iso6iso5mp41', brand) + \
        box(b'moov', mvhd, b''.join(traks), box(b'mvex', b''.join(trexes)))


def fragment_head(number, track_id, decode_time, duration, sample_size, keyframe):
    """moof and the mdat header of one sample of a track; the sample's bytes follow. A chunk of
    G.711 is one sample, its duration its sample count."""
    moof_size = 8 + 16 + 8 + 16 + 20 + 32  # moof, mfhd, traf, tfhd, tfdt, trun with one sample
    trun = full_box(b'trun', 0, 0x000701, struct.pack('>IIIII', 1, moof_size + 8, duration, sample_size,
                                                       0x02000000 if keyframe else 0x01010000))
    traf = box(b'traf', full_box(b'tfhd', 0, 0x020000, struct.pack('>I', track_id)),
               full_box(b'tfdt', 1, 0, struct.pack('>Q', decode_time)), trun)
    return box(b'moof', full_box(b'mfhd', 0, 0, struct.pack('>I', number)), traf) + \
        struct.pack('>I', 8 + sample_size) + b'mdat'


def sample_bytes(nals):
    parts = []
    for n in nals:
        parts.append(struct.pack('>I', len(n)))
        parts.append(n)
    return b''.join(parts)


class Muxer:
    """Access units and chunks of sound in, init segments and fragments out, for one stream."""

    def __init__(self, settings, audio=None):
        self.settings = settings
        self.audio = audio  # (codec, rate) of the sound's trak, or None: the pictures alone
        self.track = None
        self.number = 0  # mfhd's: every fragment, pictures and sound
        self.sequence = 0  # the pictures'
        self.chunks = 0  # the chunks of sound's
        self.first_pts = None
        self.waiting = []  # chunks of sound read before the first picture

    def take(self, nals, keyframe, pts_us):
        """(init segment or None, fragment head, sample) for one access unit; None until the first IDR."""
        codec = self.settings['codec']
        init = None
        if keyframe:
            sets = {}
            for n in nals:
                kind = param_kind(codec, nal_type(codec, n))
                if kind and kind not in sets:
                    sets[kind] = n
            if self.track is None or any(self.track[k] != v for k, v in sets.items()):
                if 'sps' in sets and 'pps' in sets and (codec == CODEC_H264 or 'vps' in sets):
                    track = {'codec': codec, 'width': self.settings['width'], 'height': self.settings['height']}
                    track.update(sets)
                    track['info'] = sps_info(codec, sets['sps'])
                    self.track = track
                    init = init_segment(track, self.audio)
        if self.track is None:
            return None
        if self.first_pts is None:
            self.first_pts = pts_us
        self.number += 1
        self.sequence += 1
        sample = sample_bytes(nals)
        decode_time = (pts_us - self.first_pts) * TIMESCALE // 1000000
        head = fragment_head(self.number, VIDEO_TRACK, decode_time, TIMESCALE // self.settings['fps'], len(sample),
                             keyframe)
        return init, head, sample

    def take_sound(self, chunks, clock):
        """(fragment head, G.711, pts, sequence) of each chunk of sound at its place beside the
        pictures: the first picture's pts is the origin, counted in samples. Chunks wait for the
        first picture (one read before it may have been captured after it); sound from before it
        is not kept."""
        if self.audio is None:
            return []
        if self.first_pts is None:
            self.waiting = (self.waiting + list(chunks))[-25:]  # half a second
            return []
        chunks, self.waiting = self.waiting + list(chunks), []
        out = []
        for chunk in chunks:
            data, pts = chunk[0], chunk_pts(clock, chunk)
            if pts < self.first_pts:
                continue
            self.number += 1
            self.chunks += 1
            decode_time = ((pts - self.first_pts) * self.audio[1] + 500000) // 1000000
            out.append((fragment_head(self.number, AUDIO_TRACK, decode_time, len(data), len(data), True), data, pts,
                        self.chunks))
        return out


# ---- the board clock, and the encoder's frames on it
class Clock:
    """Microseconds since the agent started, from the wrapping ticks_us; VENC pts mapped onto it."""

    def __init__(self):
        self.last = time.ticks_us()
        self.now_us = 0
        self.pts_offset = None

    def now(self):
        t = time.ticks_us()
        self.now_us += time.ticks_diff(t, self.last)
        self.last = t
        return self.now_us

    def pts(self, venc_pts):
        """A pack's pts on this clock: moved once by the offset seen on the first frame."""
        if self.pts_offset is None:
            self.pts_offset = self.now() - venc_pts
        return venc_pts + self.pts_offset

    def sound_pts(self, stamp):
        """A time on the MPP's clock (microseconds, VENC's pts and ai's stamps) on this clock, moved
        as the pictures are; None until the first frame has set the offset."""
        return None if self.pts_offset is None else stamp + self.pts_offset


class Channel:
    """One encoder channel fed by one sensor channel: Create, Start, GetStream, ReleaseStream."""

    def __init__(self, media, chn, settings):
        self.media = media
        self.chn = chn
        self.settings = settings
        self.header = b''
        self.stream = media['StreamData']()
        self.open()

    def open(self):
        m, s = self.media, self.settings
        enc = m['Encoder']
        self.encoder = enc()
        self.encoder.SetOutBufs(self.chn, 8, s['width'], s['height'])
        if s['codec'] == CODEC_H264:
            payload = enc.PAYLOAD_TYPE_H264
            profile = (enc.H264_PROFILE_BASELINE, enc.H264_PROFILE_MAIN, enc.H264_PROFILE_HIGH)[s['profile']]
        else:
            payload, profile = enc.PAYLOAD_TYPE_H265, enc.H265_PROFILE_MAIN
        attr = m['ChnAttrStr'](payload, profile, s['width'], s['height'], bit_rate=s['bitrate_kbps'],
                               gopLen=s['gop'], src_frame_rate=MAX_FPS, dst_frame_rate=s['fps'])
        self.encoder.Create(self.chn, attr)
        self.bind = m['link'](self.chn, s)
        self.encoder.Start(self.chn)

    def close(self):
        for step in (lambda: self.encoder.Stop(self.chn), self.bind.destroy,
                     lambda: self.encoder.Destroy(self.chn)):
            try:
                step()
            except Exception:
                pass  # cleanup goes on whatever failed before it

    def request_idr(self):
        self.media['request_idr'](self.chn)

    def frames(self, clock):
        """Every whole frame ready now: (nals, keyframe, pts on the agent's clock)."""
        while True:
            frame = self.next_frame()
            if frame is None:
                return
            nals, key, venc_pts = frame
            yield nals, key, clock.pts(venc_pts)

    def next_frame(self):
        """(nals, keyframe, venc pts) of the next whole frame, or None when none is ready."""
        while True:
            sd = self.stream
            if self.encoder.GetStream(self.chn, sd, 0) != 0:
                return None
            enc = self.media['Encoder']
            frame = None
            for i in range(sd.pack_cnt):
                data = bytes(self.media['bytes_at'](sd.data[i], sd.data_size[i]))
                kind = sd.stream_type[i]
                if kind == enc.STREAM_TYPE_HEADER:
                    self.header = data  # kept for the I frame that follows
                else:
                    key = kind == enc.STREAM_TYPE_I
                    frame = (split_annexb(self.header + data if key else data), key, sd.pts[i])
                    if key:
                        self.header = b''
            self.encoder.ReleaseStream(self.chn, sd)
            if frame is not None:
                return frame


class Microphone:
    """The board's audio input (media.pyaudio over ai) and G.711 encoder (media.g711 over aenc): one
    chunk of 20 ms a read, stamped on the agent's clock. The firmware gives a script one of each
    (docs/stock-firmware.md), so the live stream and a board recording share it, at one codec and
    rate. A read that finds no frame waits up to 10 ms (read(block=False)), so the next chunk is
    read a little before it is due, or at once when the one just read says it is there already."""

    def __init__(self, sound, codec, rate):
        self.codec, self.rate = codec, rate
        self.samples = rate * AUDIO_CHUNK_US // 1000000
        self.users = set()
        self.dropped = 0  # chunks the input lost (a gap in the stamps)
        self.encoder = sound['Encoder'](sound['K_PT_G711A'] if codec == AUDIO_G711A else sound['K_PT_G711U'],
                                        self.samples)
        self.encoder.create()
        self.audio = self.input = None
        try:
            self.audio = sound['PyAudio']()
            self.input = self.audio.open(format=sound['paInt16'], channels=1, rate=rate, input=True,
                                         frames_per_buffer=self.samples)
        except Exception:
            self.close()
            raise
        self.due = 0  # agent clock: when to read the next chunk
        self.age = None  # the least age of a chunk when read (its end by its stamp to the read), rising slowly
        self.last_stamp = None
        self.misses = 0

    def chunks(self, clock):
        """Every chunk due now (at most the 5 that ai holds): (G.711 bytes, ai's stamp of its first
        sample or 0, the agent's clock at its read less its length); chunk_pts places it."""
        out = []
        while self.input and len(out) < 5 and clock.now() >= self.due:
            pcm = self.input.read(block=False)
            now = clock.now()
            if not pcm:
                self.misses += 1
                self.due = now + AUDIO_CHUNK_US
                if self.misses > 30:  # about a second without sound: the input is gone, the pictures go on
                    self.close()
                break
            self.misses = 0
            span = (len(pcm) // 2) * 1000000 // self.rate
            self.due = now + span - 2000  # a little early: the read waits for the rest
            # The firmware's read leaves ai's frame in _audio_frame: its stamp is the end of its
            # last sample, on the clock of VENC's pts (docs/stock-firmware.md).
            frame = getattr(self.input, '_audio_frame', None)
            stamp = frame.time_stamp if frame is not None else 0
            if stamp:
                if self.last_stamp is not None and stamp - self.last_stamp > span * 3 // 2:
                    self.dropped += (stamp - self.last_stamp + span // 2) // span - 1
                self.last_stamp = stamp
                # A chunk a whole chunk older than the youngest read: the reads fell behind, and
                # the next one is there already. (The least age rises 10 us a chunk, so that it
                # follows ai's clock if that runs slower than ticks_us.)
                age = now - stamp
                self.age = age if self.age is None else min(self.age + 10, age)
                if age - self.age >= span:
                    self.due = now
            try:
                out.append((self.encoder.encode(pcm), stamp - span if stamp else 0, now - span))
            except Exception:
                self.dropped += 1  # aenc refused it: a gap
        return out

    def close(self):
        for step in (lambda: self.input.stop_stream(), lambda: self.input.close(), lambda: self.audio.terminate(),
                     self.encoder.destroy):
            try:
                step()
            except Exception:
                pass  # cleanup goes on whatever failed before it
        self.input = None


def chunk_pts(clock, chunk):
    """A chunk's pts on the agent's clock: its first sample's stamp moved as the pictures are; when
    it has none on the pictures' clock, the time it was read less its length."""
    _, start, read = chunk
    pts = clock.sound_pts(start) if start else None
    return read if pts is None or abs(pts - read) > 1000000 else pts


def check_settings(s):
    if s['codec'] not in (CODEC_H264, CODEC_H265):
        return 'codec %d is neither H.264 (1) nor H.265 (2)' % s['codec']
    if s['profile'] > 2:
        return 'profile %d is none of baseline (0), main (1), high (2)' % s['profile']
    if not 64 <= s['width'] <= MAX_WIDTH or s['width'] % 8 or not 64 <= s['height'] <= MAX_HEIGHT or s['height'] % 2:
        return '%dx%d is outside 64x64..%dx%d (width a multiple of 8, height even)' % (
            s['width'], s['height'], MAX_WIDTH, MAX_HEIGHT)
    if not 1 <= s['fps'] <= MAX_FPS:
        return '%d fps is outside 1..%d' % (s['fps'], MAX_FPS)
    if not 100 <= s['bitrate_kbps'] <= 100000:
        return '%d kbit/s is outside 100..100000' % s['bitrate_kbps']
    if not 1 <= s['gop'] <= 1000:
        return 'a GOP of %d is outside 1..1000' % s['gop']
    if s['audio'] not in (AUDIO_OFF, AUDIO_G711A, AUDIO_G711U):
        return 'unknown audio codec %d' % s['audio']
    if s['audio'] and s['audio_rate'] not in (8000, 16000):
        return 'audio rate %d Hz: give 8000 or 16000' % s['audio_rate']
    return None


# ---- storage: /sdcard only
def board_path(path):
    """The board path for a request's path, or None when it leaves /sdcard."""
    if path.startswith('/'):
        if path != STORAGE_ROOT and not path.startswith(STORAGE_ROOT + '/'):
            return None
        rest = path[len(STORAGE_ROOT):]
    else:
        rest = '/' + path
    parts = [p for p in rest.split('/') if p and p != '.']
    if '..' in parts:
        return None
    return '/'.join([STORAGE_ROOT] + parts)


def stat_of(path):
    st = os.stat(path)
    kind = T_DIR if st[0] & 0x4000 else T_FILE if st[0] & 0x8000 else T_OTHER
    return kind, st[6], st[8] * 1000


class Failure(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def os_failure(e, what):
    code = e.args[0] if e.args else 0
    if code == errno.ENOENT:
        return Failure(E_NOT_FOUND, '%s: no such file or folder' % what)
    if code == getattr(errno, 'ENOSPC', 28):
        return Failure(E_NO_SPACE, '%s: the card is full' % what)
    return Failure(E_IO, '%s: %s' % (what, e))


def resolve(path):
    p = board_path(path)
    if p is None:
        raise Failure(E_OUTSIDE_ROOT, '%s is outside %s' % (path, STORAGE_ROOT))
    return p


def regular_file(path):
    p = resolve(path)
    try:
        kind, size, mtime = stat_of(p)
    except OSError as e:
        raise os_failure(e, path)
    if kind != T_FILE:
        raise Failure(E_NOT_A_FILE, '%s is not a file' % path)
    return p, size


def space():
    v = os.statvfs(STORAGE_ROOT)
    return v[1] * v[2], v[1] * v[4]


class BoardRecording:
    """A fragmented MP4 on /sdcard from its own encoder channel, and the sound when it has the
    microphone, flushed each second."""

    def __init__(self, agent, path, settings):
        self.agent = agent
        self.path = path
        self.file = open(path, 'wb')
        self.channel = Channel(agent.media, RECORD_CHANNEL, settings)
        self.channel.request_idr()
        self.started_us = agent.clock.now()
        self.synced_us = self.started_us
        self.free = space()[1]  # what the card has left; looked at again each second
        self.bytes = 0
        self.frames = 0
        self.dropped = 0
        self.error = 0
        self.message = ''
        self.active = True
        self.muxer = Muxer(settings, agent.microphone('record', settings))

    def status(self):
        return {'active': 1 if self.active else 0, 'path': self.path,
                'elapsed_us': max(0, self.agent.clock.now() - self.started_us), 'bytes': self.bytes,
                'frames': self.frames, 'dropped': self.dropped, 'error': self.error, 'message': self.message}

    def pump(self):
        if not self.active:
            return
        for nals, key, pts in self.channel.frames(self.agent.clock):
            self.agent.listen()
            out = self.muxer.take(nals, key, pts)
            if out is None:
                continue
            init, head, sample = out
            if not self.write((init or b'') + head + sample):
                return
            self.frames += 1

    def pump_sound(self, chunks):
        """The turn's chunks of sound, after its frames (a chunk needs the first picture)."""
        if not self.active:
            return
        for head, data, pts, sequence in self.muxer.take_sound(chunks, self.agent.clock):
            if not self.write(head + data):
                return

    def write(self, data):
        if self.free < len(data) + 65536:  # a fragment is never begun where it cannot end
            self.stop(E_NO_SPACE, 'the card is full: recording stopped, the file is complete up to here')
            return False
        try:
            self.file.write(data)
        except OSError as e:
            self.stop(E_IO, 'writing %s failed (%s): recording stopped' % (self.path, e))
            return False
        self.bytes += len(data)
        self.free -= len(data)
        return True

    def tick(self, now_us):
        if self.active and now_us - self.synced_us >= SYNC_US:
            self.synced_us = now_us
            self.file.flush()  # on CanMV a file's flush is its fsync
            self.free = space()[1]
            return True
        return False

    def stop(self, error=0, message=''):
        if not self.active:
            return
        self.active = False
        self.error = error
        self.message = message
        self.channel.close()
        self.agent.release_microphone('record')
        try:
            self.file.close()
        except OSError:
            pass


class Agent:
    def __init__(self, media, board_name, firmware):
        self.media = media
        self.board_name = board_name
        self.firmware = firmware
        self.link = Link(sys.stdout.buffer, sys.stdin)
        self.clock = Clock()
        self.greeted = False
        self.live = None
        self.live_muxer = None
        self.live_dropped = 0
        self.live_skipping = False
        self.recording = None
        self.checksum = None  # (id, path, size, hash, file) of a SHA-256 under way
        self.mic = None  # the Microphone, while a stream has it
        self.heard = []  # its chunks read this turn

    def reply(self, id_, name, **fields):
        self.link.send(NAMES[name], id_, fields)

    def error(self, id_, code, message):
        self.reply(id_, 'ERROR', code=code, message=message)

    # -- the microphone: one, shared by the live stream and a board recording
    def microphone(self, user, s):
        """(codec, rate) of the sound for a stream, or None: no sound asked for, none on this
        firmware, it would not open or has failed, or the other stream has it at another codec or
        rate. The stream then goes on video only (its init segment says so); nothing is printed on
        the link."""
        if not s['audio'] or not self.media['sound']:
            return None
        m = self.mic
        if m is None:
            try:
                m = Microphone(self.media['sound'], s['audio'], s['audio_rate'])
            except Exception:
                return None
            self.mic = m
        elif m.input is None or (m.codec, m.rate) != (s['audio'], s['audio_rate']):
            return None  # it failed, or it is at another codec or rate
        m.users.add(user)
        return m.codec, m.rate

    def release_microphone(self, user):
        m = self.mic
        if m and user in m.users:
            m.users.discard(user)
            if not m.users:
                m.close()
                self.mic = None

    def listen(self):
        """Reads the chunks of sound due now, for whichever streams have the microphone: each turn,
        and after each frame, so that a turn of many frames does not leave ai's few frames unread."""
        if not self.mic:
            return
        try:
            self.heard += self.mic.chunks(self.clock)
        except Exception:  # the microphone failed: the pictures go on without it
            self.mic.close()

    # -- the live stream
    def stop_live(self):
        if self.live:
            self.live.close()
            self.live = None
            self.release_microphone('live')

    def start_live(self, s):
        self.stop_live()
        self.live = Channel(self.media, LIVE_CHANNEL, s)
        self.live_muxer = Muxer(s, self.microphone('live', s))
        self.live_dropped = 0
        self.live_skipping = False

    def pump_live(self):
        if not self.live:
            return
        for nals, key, pts in self.live.frames(self.clock):
            self.listen()
            if self.clock.now() - pts > STALE_US and not key:
                self.live_skipping = True  # the link fell behind: the frames before the next IDR go
            if self.live_skipping and not key:
                if self.live_dropped == 0 or self.live_dropped % 30 == 0:
                    self.live.request_idr()
                self.live_dropped += 1
                continue
            self.live_skipping = False
            out = self.live_muxer.take(nals, key, pts)
            if out is None:
                continue
            init, head, sample = out
            m = self.live_muxer
            s = m.settings
            if init:
                self.link.send(0xA0, 0, {'codec': s['codec'], 'width': s['width'], 'height': s['height'],
                                         'codec_string': m.track['info']['codec_string'],
                                         'audio': m.audio[0] if m.audio else AUDIO_OFF,
                                         'audio_rate': m.audio[1] if m.audio else 0, 'data': b''}, init)
            self.link.send(0xA1, 0, {'sequence': m.sequence, 'pts_us': pts,
                                     'flags': 1 if key else 0, 'dropped': self.live_dropped, 'data': b''},
                           head + sample)

    def pump_live_sound(self, chunks):
        """The turn's chunks of sound, after its frames (a chunk needs the first picture)."""
        if not self.live:
            return
        dropped = self.mic.dropped if self.mic else 0
        for head, data, pts, sequence in self.live_muxer.take_sound(chunks, self.clock):
            self.link.send(0xA3, 0, {'sequence': sequence, 'pts_us': pts, 'dropped': dropped, 'data': b''},
                           head + data)

    # -- requests
    def handle(self, type_, id_, payload):
        layout = LAYOUTS.get(type_)
        if layout is None or layout[1] != 'request':
            return self.error(id_, E_UNKNOWN_REQUEST, 'unknown request type 0x%02x' % type_)
        try:
            m = decode_payload(type_, payload)
        except (Malformed, UnicodeError) as e:
            return self.error(id_, E_BAD_REQUEST, 'malformed %s: %s' % (layout[0], e))
        name = layout[0]
        if name == 'HELLO':
            if m['protocol_version'] != PROTOCOL_VERSION:
                return self.error(id_, E_UNSUPPORTED_VERSION, 'agent speaks protocol version %d, the host asked for %d'
                                  % (PROTOCOL_VERSION, m['protocol_version']))
            self.stop_live()
            self.greeted = True
            return self.reply(id_, 'HELLO_REPLY', protocol_version=PROTOCOL_VERSION,
                              agent_version='micropython %s (CanMV %s)' % (AGENT_VERSION, self.firmware),
                              board_name=self.board_name, codecs=3, max_width=MAX_WIDTH, max_height=MAX_HEIGHT,
                              max_fps=MAX_FPS, storage=1, audio_codecs=3 if self.media['sound'] else 0)
        if not self.greeted:
            return self.error(id_, E_HANDSHAKE_REQUIRED, 'say HELLO first')
        try:
            getattr(self, 'on_' + name.lower())(id_, m)
        except Failure as f:
            self.error(id_, f.code, f.message)
        except Exception as e:  # a request never ends the agent
            self.error(id_, E_IO, '%s failed: %r' % (name, e))

    def on_ping(self, id_, m):
        self.reply(id_, 'PONG', host_time_us=m['host_time_us'], board_time_us=self.clock.now())

    def on_stream_start(self, id_, m):
        s = m['settings']
        why = check_settings(s)
        if why:
            raise Failure(E_UNSUPPORTED_SETTING, why)
        try:
            self.start_live(s)
        except Exception as e:
            self.stop_live()
            raise Failure(E_ENCODER, 'the encoder refused: %s' % e)
        self.reply(id_, 'OK')

    def on_stream_stop(self, id_, m):
        self.stop_live()
        self.reply(id_, 'OK')

    def on_request_idr(self, id_, m):
        if not self.live:
            raise Failure(E_NOT_STREAMING, 'no stream is running')
        self.live.request_idr()
        self.reply(id_, 'OK')

    def on_set_bitrate(self, id_, m):
        if not self.live:
            raise Failure(E_NOT_STREAMING, 'no stream is running')
        s = dict(self.live_muxer.settings)
        s['bitrate_kbps'] = m['bitrate_kbps']
        why = check_settings(s)
        if why:
            raise Failure(E_UNSUPPORTED_SETTING, why)
        # The firmware has no bit rate setter: the channel is made again, and the stream goes on with an IDR.
        sequence = self.live_muxer.sequence
        first = self.live_muxer.first_pts
        self.live.close()
        self.live = Channel(self.media, LIVE_CHANNEL, s)
        self.live_muxer.settings = s
        self.live_muxer.sequence, self.live_muxer.first_pts = sequence, first
        self.reply(id_, 'OK')

    def on_file_list(self, id_, m):
        p = resolve(m['path'])
        try:
            names = sorted(e[0] for e in os.ilistdir(p))
        except OSError as e:
            raise os_failure(e, m['path'])
        entries, size, truncated = [], 0, 0
        for name in names:
            try:
                kind, length, mtime = stat_of(p + '/' + name)
            except OSError:
                kind, length, mtime = T_OTHER, 0, 0
            size += 19 + len(name)
            if size > LIST_REPLY_MAX:
                truncated = 1
                break
            entries.append({'file_type': kind, 'size': length, 'mtime_ms': mtime, 'name': name})
        self.reply(id_, 'FILE_LIST_REPLY', truncated=truncated, entries=entries)

    def on_file_stat(self, id_, m):
        try:
            kind, size, mtime = stat_of(resolve(m['path']))
        except OSError as e:
            raise os_failure(e, m['path'])
        self.reply(id_, 'FILE_STAT_REPLY', file_type=kind, size=size, mtime_ms=mtime)

    def on_file_read(self, id_, m):
        p, size = regular_file(m['path'])
        n = min(m['length'], FILE_READ_MAX, max(0, size - m['offset']))
        data = b''
        if n:
            with open(p, 'rb') as f:
                f.seek(m['offset'])
                data = f.read(n)
        self.reply(id_, 'FILE_DATA', offset=m['offset'], data=data)

    def on_file_checksum(self, id_, m):
        p, size = regular_file(m['path'])
        if self.checksum:
            self.checksum[4].close()
        self.checksum = (id_, p, size, hashlib.sha256(), open(p, 'rb'))

    def pump_checksum(self):
        """A slice of the SHA-256 under way, so that the stream goes on while a big file is hashed."""
        if not self.checksum:
            return
        id_, p, size, h, f = self.checksum
        data = f.read(65536)
        if data:
            h.update(data)
            return
        f.close()
        self.checksum = None
        self.reply(id_, 'FILE_CHECKSUM_REPLY', size=size, sha256=h.digest())

    def on_file_delete(self, id_, m):
        p, size = regular_file(m['path'])
        if self.recording and self.recording.active and self.recording.path == p:
            raise Failure(E_IO, '%s is being recorded: stop the recording first' % m['path'])
        os.remove(p)
        self.reply(id_, 'OK')

    def on_storage_info(self, id_, m):
        total, available = space()
        self.reply(id_, 'STORAGE_INFO_REPLY', total=total, available=available)

    def on_board_record_start(self, id_, m):
        if self.recording and self.recording.active:
            raise Failure(E_EXISTS, 'the board is already recording %s' % self.recording.path)
        why = check_settings(m['settings'])
        if why:
            raise Failure(E_UNSUPPORTED_SETTING, why)
        path = m['path']
        if not path:
            t = time.localtime()
            path = '%s/rec-%04d%02d%02d-%02d%02d%02d.mp4' % ((STORAGE_ROOT,) + tuple(t[:6]))
        p = resolve(path)
        try:
            os.stat(p)
            raise Failure(E_EXISTS, '%s exists already' % path)
        except OSError:
            pass
        try:
            self.recording = BoardRecording(self, p, m['settings'])
        except OSError as e:
            raise os_failure(e, path)
        self.reply(id_, 'BOARD_RECORDING', **self.recording.status())

    def on_board_record_stop(self, id_, m):
        if self.recording:
            self.recording.stop()
        self.on_board_record_status(id_, m)

    def on_board_record_status(self, id_, m):
        if not self.recording:
            return self.reply(id_, 'BOARD_RECORDING', active=0, path='', elapsed_us=0, bytes=0, frames=0,
                              dropped=0, error=0, message='')
        self.reply(id_, 'BOARD_RECORDING', **self.recording.status())

    # -- the loop
    def run(self):
        # '!bye' ends the agent, once a board recording (which outlives its host) has stopped
        while not (self.link.lines.quit and not (self.recording and self.recording.active)):
            busy = self.live or (self.recording and self.recording.active) or self.checksum
            now = self.clock.now()
            for type_, flags, id_, payload in self.link.receive(2 if busy else 50, now):
                self.handle(type_, id_, payload)
            self.listen()
            self.pump_live()
            self.pump_checksum()
            now = self.clock.now()
            if self.greeted and now - self.link.heard_us > KEEPALIVE_US:
                self.greeted = False  # the host is gone: no one watches the stream
                self.stop_live()
            r = self.recording
            was_active = r and r.active
            if r:
                r.pump()
            chunks, self.heard = self.heard, []
            self.pump_live_sound(chunks)
            if r:
                r.pump_sound(chunks)
                if r.tick(now) or (was_active and not r.active):
                    self.link.send(0xA2, 0, r.status())

    def close(self):
        self.stop_live()
        if self.recording:
            self.recording.stop()
        if self.mic:
            self.mic.close()
        if self.checksum:
            self.checksum[4].close()


def media_api():
    """The firmware's media modules, under the names this agent uses. One sensor feeds every
    encoder channel through a sensor channel of the same number; changing the channels restarts it
    (a stopped sensor needs reset() before it is configured again)."""
    from media.vencoder import Encoder, ChnAttrStr, StreamData, kd_mpi_venc_request_idr
    from media.sensor import Sensor
    from media.media import MediaManager, VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, CAM_CHN_ID_0
    import uctypes
    sensor = Sensor(width=MAX_WIDTH, height=MAX_HEIGHT, fps=MAX_FPS)
    channels = {}  # encoder channel -> its settings
    state = {'running': False}

    def restart():
        if state['running']:
            sensor.stop()
            state['running'] = False
        if not channels:
            return
        sensor.reset()
        for chn, s in channels.items():
            sensor.set_framesize(width=s['width'], height=s['height'], chn=CAM_CHN_ID_0 + chn)
            sensor.set_pixformat(Sensor.YUV420SP, chn=CAM_CHN_ID_0 + chn)
        sensor.run()
        state['running'] = True

    class Bind:
        def __init__(self, chn, s):
            self.chn = chn
            channels[chn] = s
            restart()
            self.link = MediaManager.link(sensor.bind_info(chn=CAM_CHN_ID_0 + chn)['src'],
                                          (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, chn))

        def destroy(self):
            self.link.destroy()
            del channels[self.chn]
            restart()

    def stop():
        channels.clear()
        restart()

    try:  # the microphone; K_PT_G711A/U are mpp.payload_struct's, which media.g711 imports with *
        from media.pyaudio import PyAudio, paInt16
        from media.g711 import Encoder as G711Encoder, K_PT_G711A, K_PT_G711U
        sound = {'PyAudio': PyAudio, 'paInt16': paInt16, 'Encoder': G711Encoder, 'K_PT_G711A': K_PT_G711A,
                 'K_PT_G711U': K_PT_G711U}
    except ImportError:
        sound = None  # a firmware without them: no microphone

    return {'Encoder': Encoder, 'ChnAttrStr': ChnAttrStr, 'StreamData': StreamData, 'link': Bind,
            'request_idr': kd_mpi_venc_request_idr, 'bytes_at': uctypes.bytearray_at, 'stop': stop,
            'MediaManager': MediaManager, 'sound': sound}


def firmware_version():
    try:
        return os.uname().release
    except AttributeError:
        return 'unknown'


def main():
    import micropython
    media = media_api()
    media['MediaManager'].init()
    try:
        name = os.uname().machine
    except AttributeError:
        name = 'CanMV K230'
    agent = None
    micropython.kbd_intr(-1)  # Ctrl-C is data now; '!bye' ends the agent
    try:
        agent = Agent(media, name, firmware_version())
        agent.run()
    finally:
        micropython.kbd_intr(3)
        if agent:
            agent.close()
        media['stop']()
        media['MediaManager'].deinit()


if __name__ == '__main__':
    main()
