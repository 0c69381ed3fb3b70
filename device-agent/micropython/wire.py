# The wire (the C twins: device-agent/src/wire.c, msg.c, text_frames.c, link.c): the messages,
# described once; frames (magic, type, flags, id, length, header CRC, payload, CRC: docs/protocol.md);
# the host's text-safe lines. Host-to-board frames come one base64 line each ("The text-safe
# link"), because the firmware turns some binary sequences into its IDE protocol; board-to-host
# frames are binary on sys.stdout.buffer.
import binascii
import select
import struct

PROTOCOL_VERSION = 5
MAX_REQUEST = 65536
MAGIC = b'K2'
# What a host's line holds: base64 (RFC 4648), and the '!' of "!bye".
LINE_BYTES = b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=!'
LINE_SET = set(LINE_BYTES[:-1])  # the '!' of a command begins a line

# ---- the messages (the same rows as src/protocol/messages.ts and device-agent/src/msg_layouts.h;
# the golden vectors in test/vectors hold the three together)
SETTINGS = (('width', 'u16'), ('height', 'u16'), ('fps', 'u16'), ('codec', 'codec'), ('profile', 'profile'),
            ('bitrate_kbps', 'u32'), ('gop', 'u16'), ('audio', 'audioCodec'), ('audio_rate', 'u16'),
            ('source', 'source'))
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
    0x16: ('FILE_WRITE', 'request', (('path', 'path'), ('offset', 'u64'), ('data', 'rest'))),
    0x17: ('FILE_RENAME', 'request', (('path', 'path'), ('to', 'path'), ('replace', 'flag'))),
    0x18: ('FILE_MKDIR', 'request', PATH),
    0x20: ('BOARD_RECORD_START', 'request', (('path', 'path'), ('settings', 'settings'))),
    0x21: ('BOARD_RECORD_STOP', 'request', NONE),
    0x22: ('BOARD_RECORD_STATUS', 'request', NONE),
    0x30: ('SCRIPT_RUN', 'request', (('name', 'string'), ('source', 'rest'))),
    0x31: ('SCRIPT_INPUT', 'request', (('data', 'rest'),)),
    0x32: ('SCRIPT_STOP', 'request', (('force', 'flag'),)),
    0x80: ('OK', 'reply', NONE),
    0x81: ('HELLO_REPLY', 'reply', (('protocol_version', 'u16'), ('agent_version', 'string'),
                                    ('board_name', 'string'), ('codecs', 'u8'), ('max_width', 'u16'),
                                    ('max_height', 'u16'), ('max_fps', 'u16'), ('storage', 'flag'),
                                    ('audio_codecs', 'u8'), ('scripts', 'flag'), ('sources', 'u8'))),
    0x86: ('PONG', 'reply', (('host_time_us', 'u64'), ('board_time_us', 'u64'))),
    0x90: ('FILE_LIST_REPLY', 'reply', (('truncated', 'flag'), ('entries', 'entries'))),
    0x91: ('FILE_STAT_REPLY', 'reply', (('file_type', 'fileType'), ('size', 'u64'), ('mtime_ms', 'u64'))),
    0x92: ('FILE_DATA', 'reply', (('offset', 'u64'), ('data', 'rest'))),
    0x93: ('FILE_CHECKSUM_REPLY', 'reply', (('size', 'u64'), ('sha256', 'sha256'))),
    0x95: ('STORAGE_INFO_REPLY', 'reply', (('total', 'u64'), ('available', 'u64'))),
    0xFF: ('ERROR', 'reply', (('code', 'u16'), ('message', 'string'))),
    0xA0: ('INIT_SEGMENT', 'event', (('codec', 'codec'), ('width', 'u16'), ('height', 'u16'),
                                     ('codec_string', 'string'), ('audio', 'audioCodec'), ('audio_rate', 'u16'),
                                     ('source', 'source'), ('data', 'rest'))),
    0xA1: ('FRAGMENT', 'event', (('sequence', 'u32'), ('pts_us', 'u64'), ('flags', 'u8'), ('dropped', 'u32'),
                                 ('data', 'rest'))),
    0xA2: ('BOARD_RECORDING', 'reply or event', RECORDING),
    0xA3: ('AUDIO_FRAGMENT', 'event', (('sequence', 'u32'), ('pts_us', 'u64'), ('dropped', 'u32'), ('data', 'rest'))),
    0xA4: ('SCRIPT_OUTPUT', 'event', (('dropped', 'u32'), ('data', 'rest'))),
    0xA5: ('SCRIPT_ENDED', 'event', (('how', 'u8'), ('elapsed_us', 'u64'), ('line', 'u32'), ('traceback', 'rest'))),
    0xA6: ('SOURCES', 'event', (('available', 'u8'), ('live', 'u8'))),
}
NAMES = {}
for _type in LAYOUTS:
    NAMES[LAYOUTS[_type][0]] = _type

E_UNSUPPORTED_VERSION, E_BAD_REQUEST, E_UNKNOWN_REQUEST, E_UNSUPPORTED_SETTING = 1, 2, 3, 4
E_NOT_STREAMING, E_HANDSHAKE_REQUIRED, E_ENCODER, E_NOT_FOUND, E_OUTSIDE_ROOT = 5, 6, 7, 8, 9
E_IO, E_NO_SPACE, E_NO_STORAGE, E_NOT_A_FILE, E_EXISTS = 10, 11, 12, 13, 14
E_UNSUPPORTED, E_SCRIPT_RUNNING = 15, 16
T_FILE, T_DIR, T_OTHER = 1, 2, 3
CODEC_H264, CODEC_H265 = 1, 2
AUDIO_OFF, AUDIO_G711A, AUDIO_G711U = 0, 1, 2
SOURCE_CAMERA, SOURCE_DISPLAY, SOURCE_FOLLOW = 0, 1, 2
SOURCE_NONE = 0xFF  # SOURCES' live when nothing is streamed
FRAGMENT_KEYFRAME = 1  # FRAGMENT's flags


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
    if kind in ('u8', 'codec', 'profile', 'audioCodec', 'source', 'fileType'):
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
    elif kind in ('u8', 'codec', 'profile', 'audioCodec', 'source', 'fileType'):
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


# ---- frames
def frame_head(type_, id_, length):
    head = struct.pack('<BBBBII', MAGIC[0], MAGIC[1], type_, 0, id_, length)
    return head + struct.pack('<I', binascii.crc32(head))


class FrameDecoder:
    """Finds frames in a byte stream and resynchronises after damage at the next magic."""

    def __init__(self, max_payload=MAX_REQUEST):
        self.buf = b''
        self.max_payload = max_payload
        self.skipped = 0
        self.header_errors = 0
        self.crc_errors = 0

    def _resync(self, b, at):
        """Where the next frame may begin after at: the next magic, or a last byte that may begin one."""
        to = b.find(MAGIC, at + 1)
        if to < 0:
            to = len(b) - 1 if b[-1] == MAGIC[0] else len(b)
        self.skipped += to - at
        return to

    def push(self, chunk):
        b = self.buf + chunk
        at = 0
        frames = []
        while at < len(b):
            if b[at] != MAGIC[0] or (at + 1 < len(b) and b[at + 1] != MAGIC[1]):
                at = self._resync(b, at)
                continue
            if len(b) - at < 16:
                break
            _, _, type_, flags, id_, length, hcrc = struct.unpack('<BBBBIII', b[at:at + 16])
            if binascii.crc32(b[at:at + 12]) != hcrc or length > self.max_payload:
                self.header_errors += 1
                at = self._resync(b, at)
                continue
            end = at + 16 + length
            if len(b) < end + 4:
                break
            if binascii.crc32(b[at:end]) != struct.unpack('<I', b[end:end + 4])[0]:
                self.crc_errors += 1
                at = self._resync(b, at)
                continue
            frames.append((type_, flags, id_, b[at + 16:end]))
            at = end + 4
        self.buf = b[at:]
        return frames


class LineFrames:
    """The host's text-safe lines (docs/protocol.md, "The text-safe link") into the frames they hold.
    The C twin: device-agent/src/text_frames.c; test/vectors/lines.vec holds both to one rule."""

    def __init__(self):
        self.line = bytearray()
        self.overlong = False  # this line outgrew any frame: dropped at its end
        self.decoder = FrameDecoder()
        self.quit = False  # the line "!bye" came
        self.handback = False  # a person's Ctrl-C, Ctrl-B or lone CR came: they want the REPL

    def push(self, data):
        frames = []
        start, n = 0, len(data)
        while start < n:
            end = data.find(b'\n', start)
            self._take(data, start, n if end < 0 else end, end >= 0)
            if end < 0:
                break
            line = b'' if self.overlong else bytes(self.line)
            self.line = bytearray()
            self.overlong = False
            if line == b'!bye':
                self.quit = True
            elif is_base64(line):
                frames += self.decoder.push(binascii.a2b_base64(line))
            start = end + 1
        return frames

    def _take(self, data, start, end, ends_line):
        """Adds data[start:end] (no LF in it) to the line: a byte no line holds starts it again, and a
        '!' starts it again with itself (the "!bye" command)."""
        keep = start
        for i in range(start, end):
            c = data[i]
            if c in LINE_SET:
                continue
            if c == 13:  # a CRLF line's CR is dropped; a CR alone is a terminal's Enter
                self.handback = self.handback or i + 1 < end or not ends_line
                self._add(data, keep, i)
                keep = i + 1
                continue
            if c == 3 or c == 2:
                self.handback = True  # Ctrl-C, Ctrl-B: what a serial terminal or a tool sends a REPL
            self.line = bytearray()
            self.overlong = False
            keep = i if c == 33 else i + 1
        self._add(data, keep, end)

    def _add(self, data, start, end):
        if len(self.line) + end - start > 4 * MAX_REQUEST // 3 + 8:
            self.overlong = True
        elif not self.overlong:
            self.line += data[start:end]


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

    def send(self, name, id_, m, tail=b''):
        """The message of that name, its fields m, and the bytes of its last field (its data) apart."""
        type_ = NAMES[name]
        payload = encode_payload(type_, m)
        head = frame_head(type_, id_, len(payload) + len(tail))
        crc = binascii.crc32(tail, binascii.crc32(payload, binascii.crc32(head)))
        # One write: the firmware's write is whole under its lock, so nothing printed from another thread
        # (a script's _thread, a warning from C) can land inside a frame
        self.out.write(b''.join((head, payload, tail, struct.pack('<I', crc))))

    def receive(self, wait_ms, now_us):
        """The frames that came within wait_ms (at most one batch of bytes)."""
        if not self.poller.poll(wait_ms):
            return []
        got = bytearray()
        while len(got) < 16384 and self.poller.poll(0):
            c = self.inp.read(1)
            if not c:
                break
            got += c
        frames = self.lines.push(got)
        if frames:
            self.heard_us = now_us  # a host's frames; a person's keys are not a host
            self.lines.handback = False
        return frames
