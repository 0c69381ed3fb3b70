# A board recording (the C twin: device-agent/src/record.c): a fragmented MP4 on /sdcard from its own
# encoder channel, and the sound when it has the microphone, flushed each second; it outlives its host.
import os
import time

# Imported in tests; pasted by the host, the modules before it have left their names in __main__.
if __name__ != '__main__':
    from wire import E_EXISTS, E_IO, E_NO_SPACE
    from stream import Stream
    from sdcard import STORAGE_ROOT, Failure, resolve, space

SYNC_US = 1000000


def recording_path(path):
    """The board path of a new recording: the one asked for, or rec-<date>-<time>.mp4 on the card."""
    if not path:
        t = time.localtime()
        path = '%s/rec-%04d%02d%02d-%02d%02d%02d.mp4' % ((STORAGE_ROOT,) + tuple(t[:6]))
    p = resolve(path)
    try:
        os.stat(p)
        raise Failure(E_EXISTS, '%s exists already' % path)
    except OSError:
        pass
    return p


class BoardRecording:
    """The file sink of a Stream (stream.py), of the camera or of a running script's display (on the
    board recording's channel either way)."""
    stale_us = None  # a file takes every picture, however late

    def __init__(self, open_channel, source, clock, microphone, path, settings):
        self.clock = clock
        self.path = path
        self.file = open(path, 'wb')
        self.started_us = clock.now()
        self.synced_us = self.started_us
        self.free = space()[1]  # what the card has left; looked at again each second
        self.bytes = 0
        self.frames = 0
        self.error = 0
        self.message = ''
        self.active = True
        try:
            self.stream = Stream(open_channel, source, settings, self, clock, microphone, 'record')
        except Exception:
            self.file.close()
            os.remove(path)  # no encoder, no recording: nothing is left on the card
            raise
        self.stream.request_idr()

    def status(self):
        return {'active': 1 if self.active else 0, 'path': self.path,
                'elapsed_us': max(0, self.clock.now() - self.started_us), 'bytes': self.bytes,
                'frames': self.frames, 'dropped': self.stream.dropped, 'error': self.error, 'message': self.message}

    def pump(self):
        if self.active:
            self.stream.pump()

    def pump_sound(self, chunks):
        if self.active:
            self.stream.pump_sound(chunks)

    def init(self, stream, data):
        # one init segment a file: new parameter sets of the same settings are in band
        return self.bytes > 0 or self.write(data)

    def picture(self, stream, pts, keyframe, data):
        if not self.write(data):
            return False
        self.frames += 1
        return True

    def sound(self, stream, pts, data):
        return self.write(data)

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
        """True when a second has passed since the last flush: the host hears the status then."""
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
        self.stream.close()
        try:
            self.file.close()
        except OSError:
            pass
