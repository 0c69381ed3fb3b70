# The display a user's script shows, as a source beside the camera (the C twin: the K230 backend's
# display, device-agent/backends/k230/k230_display.c): the display's write-back (WBC) of the
# composited layers, each frame taken with kd_mpi_wbc_dump_frame and sent by hand to an encoder
# channel of the agent's own with Encoder.SendFrame, as the firmware's resources/libs/WBCRtsp.py does.
# docs/display-source.md has the firmware facts, and what only a board can prove.
import sys
import time

# Imported in tests; pasted by the host, the modules before it have left their names in __main__.
if __name__ != '__main__':
    from capture import Channel, check_settings

DISPLAY_CHANNEL = 2  # 3 is the IDE's JPEG; the firmware's examples take 0; the camera's live view 0, a board recording 1
WBC_BLOCKS = 3  # what WBCRtsp.py asks the write-back to hold
IN_FLIGHT_US = 200000  # a frame the encoder has not answered within this is given back
ENCODE_WAIT_MS = 20  # a frame just sent is waited for this long: its picture goes out in the same turn


_virtual = []  # mpp.connector's DSI_VIRTUAL_DEVICE, once looked up


def script_display():
    """(width, height, fps) of the running script's display when it writes back (a virtual display
    always; a panel when the script asked for to_ide=True), else None. Called every turn: cheap."""
    m = sys.modules.get('media.display')
    if m is None:
        return None
    try:
        d = m.Display
        if not d._is_inited:
            return None
        if not _virtual:
            from mpp.connector import DSI_VIRTUAL_DEVICE
            _virtual.append(DSI_VIRTUAL_DEVICE)
        if d._connector_type != _virtual[0] and not d._write_back_to_ide:
            return None
        return d._width, d._height, d.fps()
    except Exception:  # noqa: a firmware whose Display is not shaped so: no display source
        return None


def display_settings(settings, display):
    """The stream's settings for this display (its own size; at most its frame rate), or None when
    the encoder cannot take it."""
    s = dict(settings)
    s['width'], s['height'] = display[0], display[1]
    s['fps'] = min(s['fps'], display[2])
    return None if check_settings(s) else s


def write_back_api():
    """The MPP's write-back, under the names this agent uses."""
    from mpp import (k_vo_wbc_attr, k_video_frame_info, kd_mpi_vo_set_wbc_attr, kd_mpi_vo_enable_wbc,
                     kd_mpi_vo_disable_wbc, kd_mpi_wbc_dump_frame, kd_mpi_wbc_dump_release)
    return {'attr': k_vo_wbc_attr, 'frame': k_video_frame_info, 'set_attr': kd_mpi_vo_set_wbc_attr,
            'enable': kd_mpi_vo_enable_wbc, 'disable': kd_mpi_vo_disable_wbc, 'dump': kd_mpi_wbc_dump_frame,
            'release': kd_mpi_wbc_dump_release}


class DisplayChannel(Channel):
    """An encoder channel fed by the display's write-back: each turn, the newest refresh that is due
    (at the stream's frame rate) goes to SendFrame; it is given back once its picture has come out."""

    def __init__(self, media, settings, display):
        self.display = display
        self.wbc = write_back_api()
        self.create(media, DISPLAY_CHANNEL, settings)
        self.bind = None
        self.in_flight = None  # (frame, sent at) until its picture comes out
        self.period_us = 1000000 // settings['fps']
        self.due = None  # the pts from which the next refresh is taken
        self.encoder.Start(DISPLAY_CHANNEL)
        attr = self.wbc['attr']()
        attr.blk_cnt = WBC_BLOCKS
        attr.dump_size.width, attr.dump_size.height = settings['width'], settings['height']
        if self.wbc['set_attr'](attr) != 0 or self.wbc['enable']() != 0:
            self.close()
            raise OSError('the display write-back refused %dx%d' % (settings['width'], settings['height']))

    def feed(self):
        """True when a frame went to the encoder in this call."""
        now = time.ticks_us()
        if self.in_flight is not None:
            if time.ticks_diff(now, self.in_flight[1]) < IN_FLIGHT_US:
                return False
            self.give_back()
        frame = self.wbc['frame']()
        if self.wbc['dump'](frame, 0) != 0:
            return False
        pts = frame.v_frame.pts
        if self.due is not None and pts < self.due:
            self.wbc['release'](frame)  # a refresh between two of the stream's frames
            return False
        # The next is due one period on; 2 ms early, so that a refresh on the period's edge is taken.
        self.due = (pts if self.due is None or pts - self.due > self.period_us else self.due) + self.period_us - 2000
        if self.encoder.SendFrame(self.chn, frame) != 0:
            self.wbc['release'](frame)
            return False
        self.in_flight = (frame, now)
        return True

    def give_back(self):
        if self.in_flight is not None:
            self.wbc['release'](self.in_flight[0])
            self.in_flight = None

    def next_frame(self, wait_ms=0):
        # The encoder takes a few ms: waiting for them here sends the picture a whole turn sooner.
        frame = Channel.next_frame(self, ENCODE_WAIT_MS if self.feed() else wait_ms)
        if frame is not None:
            self.give_back()  # its picture came out: the write-back's frame is free again
        return frame

    def close(self):
        self.give_back()
        for step in (lambda: self.encoder.Stop(self.chn), lambda: self.encoder.Destroy(self.chn), self.wbc['disable']):
            try:
                step()
            except Exception:
                pass  # cleanup goes on whatever failed before it
