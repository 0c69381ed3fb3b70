# The live view's sink (the C twin: device-agent/src/live.c): init segments and fragments as
# INIT_SEGMENT, FRAGMENT and AUDIO_FRAGMENT events on the link.
# Imported in tests; pasted by the host, the modules before it have left their names in __main__.
if __name__ != '__main__':
    from wire import AUDIO_OFF, FRAGMENT_KEYFRAME

STALE_US = 300000  # a picture this old when fetched: the link fell behind, drop to the next IDR


class LiveSink:
    stale_us = STALE_US

    def __init__(self, link):
        self.link = link

    def init(self, stream, data):
        s, m = stream.muxer.settings, stream.muxer
        self.link.send('INIT_SEGMENT', 0, {'codec': s['codec'], 'width': s['width'], 'height': s['height'],
                                           'codec_string': m.track['info']['codec_string'],
                                           'audio': m.audio[0] if m.audio else AUDIO_OFF,
                                           'audio_rate': m.audio[1] if m.audio else 0, 'source': stream.source,
                                           'data': b''}, data)
        return True

    def picture(self, stream, pts, keyframe, data):
        self.link.send('FRAGMENT', 0, {'sequence': stream.muxer.sequence, 'pts_us': pts,
                                       'flags': FRAGMENT_KEYFRAME if keyframe else 0, 'dropped': stream.dropped,
                                       'data': b''}, data)
        return True

    def sound(self, stream, pts, data):
        self.link.send('AUDIO_FRAGMENT', 0, {'sequence': stream.muxer.chunks, 'pts_us': pts,
                                             'dropped': stream.microphone.dropped(), 'data': b''}, data)
        return True
