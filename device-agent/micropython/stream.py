# An encoder pipeline (the C twin: device-agent/src/stream.c): one encoder channel's pictures (the
# camera's, or the display's: display.py), and the
# shared microphone's chunks when the settings ask for sound, muxed one fragment each into a sink:
# the live view's (live.py) or a board recording's file (recording.py). A sink that falls behind or
# loses a picture gets nothing more until the next IDR.
# Imported in tests; pasted by the host, the modules before it have left their names in __main__.
if __name__ != '__main__':
    from mp4 import Muxer
    from capture import chunk_pts

IDR_AGAIN = 30  # pictures held back before an IDR is asked for again, in case the encoder let one go


class KeyframeGate:
    """Where a consumer that lost a picture waits for the next IDR: the pictures after a loss refer to
    what was lost. The C twin: device-agent/src/keyframe_gate.c."""

    def __init__(self):
        self.waiting = False
        self.held = 0  # pictures held back since it closed

    def close(self):
        self.waiting = True

    def passes(self, keyframe):
        """Whether this picture goes on; a keyframe opens the gate."""
        if keyframe:
            self.waiting = False
            self.held = 0
        elif self.waiting:
            self.held += 1
        return not self.waiting


class Stream:
    """A sink has init(stream, data), picture(stream, pts, keyframe, data) and sound(stream, pts, data),
    each False when it took nothing more, and stale_us: how old a picture it still takes (None: any)."""

    def __init__(self, open_channel, source, settings, sink, clock, microphone, user):
        self.open_channel = open_channel  # settings -> a Channel
        self.source = source  # SOURCE_CAMERA or SOURCE_DISPLAY
        self.channel = open_channel(settings)
        self.sink = sink
        self.clock = clock
        self.microphone = microphone
        self.user = user  # its name among the microphone's users
        self.muxer = Muxer(settings, microphone.join(user, settings))
        self.gate = KeyframeGate()
        self.dropped = 0  # pictures the sink never got
        self.waiting = []  # chunks of sound read before the first picture

    def request_idr(self):
        self.channel.request_idr()

    def remake_channel(self, settings):
        """New settings of the same size and codec (the firmware has no bit rate setter): the stream
        goes on from the new channel's IDR."""
        self.channel.close()
        self.channel = self.open_channel(settings)
        self.muxer.settings = settings

    def pump(self):
        """Every picture the channel has ready, into the sink."""
        stale_us = self.sink.stale_us
        for nals, key, pts in self.channel.frames(self.clock):
            self.microphone.listen(self.clock)
            if stale_us is not None and not key and self.clock.now() - pts > stale_us:
                self.gate.close()  # the sink fell behind: the pictures before the next IDR go
            if not self.gate.passes(key):
                if self.gate.held % IDR_AGAIN == 1:
                    self.channel.request_idr()
                self.dropped += 1
                continue
            out = self.muxer.take(nals, key, pts)
            if out is None:
                continue
            init, head, sample = out
            if (init and not self.sink.init(self, init)) or not self.sink.picture(self, pts, key, head + sample):
                self.gate.close()
                return

    def pump_sound(self, chunks):
        """The turn's chunks of sound, after its pictures: a chunk waits for the first picture (one
        read before it may have been captured after it); sound from before it is not kept."""
        if self.muxer.audio is None:
            return
        if self.muxer.first_pts is None:
            self.waiting = (self.waiting + chunks)[-25:]  # half a second
            return
        chunks, self.waiting = self.waiting + chunks, []
        for chunk in chunks:
            pts = chunk_pts(self.clock, chunk)
            head = self.muxer.take_sound(chunk[0], pts)
            if head and not self.sink.sound(self, pts, head + chunk[0]):
                return

    def close(self):
        self.channel.close()
        self.microphone.leave(self.user)
