# H.264/H.265 access units and fragmented MP4 (the C twins: device-agent/src/nal.c, fmp4.c):
# one init segment, then one moof+mdat per picture and one per chunk of sound, a second trak beside
# the pictures. test/vectors/fmp4.vec holds this muxer and fmp4.c to the same bytes.
import struct

# Imported in tests; pasted by the host, the modules before it have left their names in __main__.
if __name__ != '__main__':
    from wire import AUDIO_G711A, CODEC_H264

TIMESCALE = 90000
VIDEO_TRACK, AUDIO_TRACK = 1, 2  # the sound's timescale is its sample rate
SAMPLE_SYNC = 0x02000000  # trun sample flags (ISO/IEC 14496-12 8.8.3.1): depends on no other sample
SAMPLE_NON_SYNC = 0x01010000  # depends on others; is_non_sync_sample


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


def parameter_sets(codec, nals):
    """The first SPS, PPS (and VPS) of an access unit, by kind."""
    sets = {}
    for n in nals:
        kind = param_kind(codec, nal_type(codec, n))
        if kind and kind not in sets:
            sets[kind] = n
    return sets


def track_from_keyframe(codec, width, height, nals):
    """What an init segment describes, from a keyframe's parameter sets; None when it lacks one."""
    sets = parameter_sets(codec, nals)
    if 'sps' not in sets or 'pps' not in sets or (codec != CODEC_H264 and 'vps' not in sets):
        return None
    track = {'codec': codec, 'width': width, 'height': height, 'info': sps_info(codec, sets['sps'])}
    track.update(sets)
    return track


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
                                                       SAMPLE_SYNC if keyframe else SAMPLE_NON_SYNC))
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


def picture_decode_time(since_us):
    """A picture's place in its trak: microseconds since the first picture, in TIMESCALE's ticks."""
    return since_us * TIMESCALE // 1000000


def sound_decode_time(since_us, rate):
    """A chunk's place in its trak: microseconds since the first picture, in samples, rounded."""
    return (since_us * rate + 500000) // 1000000


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

    def take(self, nals, keyframe, pts_us):
        """(init segment or None, fragment head, sample) for one access unit; None until the first IDR."""
        s = self.settings
        init = None
        if keyframe:
            sets = parameter_sets(s['codec'], nals)
            if self.track is None or any(self.track[k] != v for k, v in sets.items()):
                track = track_from_keyframe(s['codec'], s['width'], s['height'], nals)
                if track:
                    self.track = track
                    init = init_segment(track, self.audio)
        if self.track is None:
            return None
        if self.first_pts is None:
            self.first_pts = pts_us
        self.number += 1
        self.sequence += 1
        sample = sample_bytes(nals)
        head = fragment_head(self.number, VIDEO_TRACK, picture_decode_time(pts_us - self.first_pts),
                             TIMESCALE // s['fps'], len(sample), keyframe)
        return init, head, sample

    def take_sound(self, data, pts_us):
        """The fragment head of a chunk of sound at its place beside the pictures (the first picture's
        pts is the origin); None when this stream has no sound, or the chunk is from before it."""
        if self.audio is None or self.first_pts is None or pts_us < self.first_pts:
            return None
        self.number += 1
        self.chunks += 1
        decode_time = sound_decode_time(pts_us - self.first_pts, self.audio[1])
        return fragment_head(self.number, AUDIO_TRACK, decode_time, len(data), len(data), True)
