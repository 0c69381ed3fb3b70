# What the board captures (the C twins: device-agent/src/camera.c, audio.c, clock.c): the agent's
# clock, the encoder channels (media.vencoder over a sensor channel each), and the one microphone
# (media.pyaudio and media.g711), with the stream settings they take. docs/stock-firmware.md has the
# firmware facts this follows.
import time

# Imported in tests; pasted by the host, the modules before it have left their names in __main__.
if __name__ != '__main__':
    from wire import AUDIO_G711A, AUDIO_G711U, AUDIO_OFF, CODEC_H264, CODEC_H265
    from mp4 import split_annexb

LIVE_CHANNEL = 0
RECORD_CHANNEL = 1  # channel 3 belongs to the IDE
MAX_WIDTH, MAX_HEIGHT, MAX_FPS = 1920, 1080, 30  # the sensor is opened at 1080p30
# The settings' limits: test/unit/stream-settings.test.ts holds them to src/protocol/stream-settings.ts.
WIDTH_MIN = 64
WIDTH_MULTIPLE = 8
HEIGHT_MIN = 64
HEIGHT_MULTIPLE = 2
FPS_MIN = 1
BITRATE_MIN_KBPS = 100
BITRATE_MAX_KBPS = 100000
GOP_MIN = 1
GOP_MAX = 1000
AUDIO_RATES = (8000, 16000)
AUDIO_CHUNK_US = 20000  # G.711's 20 ms: rate / 50 samples a chunk, one byte each


def check_settings(s):
    """Why the board cannot stream these settings (one line for a person), or None."""
    if s['codec'] not in (CODEC_H264, CODEC_H265):
        return 'codec %d is neither H.264 (1) nor H.265 (2)' % s['codec']
    if s['profile'] > 2:
        return 'profile %d is none of baseline (0), main (1), high (2)' % s['profile']
    if not WIDTH_MIN <= s['width'] <= MAX_WIDTH or s['width'] % WIDTH_MULTIPLE or \
            not HEIGHT_MIN <= s['height'] <= MAX_HEIGHT or s['height'] % HEIGHT_MULTIPLE:
        return '%dx%d is outside %dx%d..%dx%d (width a multiple of %d, height a multiple of %d)' % (
            s['width'], s['height'], WIDTH_MIN, HEIGHT_MIN, MAX_WIDTH, MAX_HEIGHT, WIDTH_MULTIPLE, HEIGHT_MULTIPLE)
    if not FPS_MIN <= s['fps'] <= MAX_FPS:
        return '%d fps is outside %d..%d' % (s['fps'], FPS_MIN, MAX_FPS)
    if not BITRATE_MIN_KBPS <= s['bitrate_kbps'] <= BITRATE_MAX_KBPS:
        return '%d kbit/s is outside %d..%d' % (s['bitrate_kbps'], BITRATE_MIN_KBPS, BITRATE_MAX_KBPS)
    if not GOP_MIN <= s['gop'] <= GOP_MAX:
        return 'a GOP of %d is outside %d..%d' % (s['gop'], GOP_MIN, GOP_MAX)
    if s['audio'] not in (AUDIO_OFF, AUDIO_G711A, AUDIO_G711U):
        return 'unknown audio codec %d' % s['audio']
    if s['audio'] and s['audio_rate'] not in AUDIO_RATES:
        return 'audio rate %d Hz: give 8000 or 16000' % s['audio_rate']
    return None


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
        self.create(media, chn, settings)
        self.bind = media['link'](chn, settings)
        self.encoder.Start(chn)

    def create(self, media, chn, settings):
        self.media = media
        self.chn = chn
        self.header = b''
        self.stream = media['StreamData']()
        m, s = media, settings
        enc = m['Encoder']
        self.encoder = enc()
        self.encoder.SetOutBufs(chn, 8, s['width'], s['height'])
        if s['codec'] == CODEC_H264:
            payload = enc.PAYLOAD_TYPE_H264
            profile = (enc.H264_PROFILE_BASELINE, enc.H264_PROFILE_MAIN, enc.H264_PROFILE_HIGH)[s['profile']]
        else:
            payload, profile = enc.PAYLOAD_TYPE_H265, enc.H265_PROFILE_MAIN
        attr = m['ChnAttrStr'](payload, profile, s['width'], s['height'], bit_rate=s['bitrate_kbps'],
                               gopLen=s['gop'], src_frame_rate=MAX_FPS, dst_frame_rate=s['fps'])
        self.encoder.Create(chn, attr)

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

    def next_frame(self, wait_ms=0):
        """(nals, keyframe, venc pts) of the next whole frame, or None when none is ready (within wait_ms)."""
        while True:
            sd = self.stream
            if self.encoder.GetStream(self.chn, sd, wait_ms) != 0:
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
    chunk of 20 ms a read, stamped on the agent's clock. A read that finds no frame waits up to 10 ms
    (read(block=False)), so the next chunk is read a little before it is due, or at once when the one
    just read says it is there already."""

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


class SharedMicrophone:
    """The firmware gives a script one microphone and one G.711 encoder (docs/stock-firmware.md): the
    live stream and a board recording share it, at one codec and rate, and each turn's chunks."""

    def __init__(self, sound):
        self.sound = sound  # the firmware's sound modules, or None: a firmware without them
        self.mic = None  # the Microphone, while a stream has it
        self.heard = []  # its chunks read this turn

    def join(self, user, s):
        """(codec, rate) of the sound for a stream, or None: no sound asked for, none on this
        firmware, it would not open or has failed, or the other stream has it at another codec or
        rate. The stream then goes on video only (its init segment says so); nothing is printed on
        the link."""
        if not s['audio'] or not self.sound:
            return None
        m = self.mic
        if m is None:
            try:
                m = Microphone(self.sound, s['audio'], s['audio_rate'])
            except Exception:
                return None
            self.mic = m
        elif m.input is None or (m.codec, m.rate) != (s['audio'], s['audio_rate']):
            return None  # it failed, or it is at another codec or rate
        m.users.add(user)
        return m.codec, m.rate

    def leave(self, user):
        m = self.mic
        if m and user in m.users:
            m.users.discard(user)
            if not m.users:
                m.close()
                self.mic = None

    def listen(self, clock):
        """Reads the chunks of sound due now, for whichever streams have the microphone: each turn,
        and after each frame, so that a turn of many frames does not leave ai's few frames unread."""
        if not self.mic:
            return
        try:
            self.heard += self.mic.chunks(clock)
        except Exception:  # the microphone failed: the pictures go on without it
            self.mic.close()

    def take(self):
        """The chunks read since the last take."""
        chunks, self.heard = self.heard, []
        return chunks

    def dropped(self):
        return self.mic.dropped if self.mic else 0

    def close(self):
        if self.mic:
            self.mic.close()


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
