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

DISPLAY_CHANNEL = 2  # the live view's; 3 is the IDE's JPEG, the firmware's examples take 0, a board recording 1
WBC_BLOCKS = 3  # what WBCRtsp.py asks the write-back to hold
IN_FLIGHT_US = 200000  # a frame the encoder has not answered within this is given back
ENCODE_WAIT_MS = 20  # a frame just sent is waited for this long: its picture goes out in the same turn


_virtual = []  # mpp.connector's DSI_VIRTUAL_DEVICE, once looked up


def quietly(step, *args):
    """A step of cleanup, which goes on whatever failed before it (the display may be gone already:
    Display.deinit)."""
    try:
        step(*args)
    except Exception:
        pass


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


class WriteBack:
    """The display's write-back, one reader shared by the channels it feeds (the live view's and a
    board recording's): on with the first, off with the last. The newest refresh dumped stays held
    until a newer one is, so that each channel sees it; an older one is given back once no channel
    encodes it. It holds at most the newest and the one each channel encodes: WBC_BLOCKS."""

    def __init__(self):
        self.api = None
        self.size = None
        self.users = 0
        self.held = []  # [frame, pts, channels encoding it], oldest first

    def open(self, width, height):
        if self.users and self.size != (width, height):
            raise OSError('the display write-back is taken at %dx%d' % self.size)
        if not self.users:
            self.api = self.api or write_back_api()
            attr = self.api['attr']()
            attr.blk_cnt = WBC_BLOCKS
            attr.dump_size.width, attr.dump_size.height = width, height
            if self.api['set_attr'](attr) != 0 or self.api['enable']() != 0:
                quietly(self.api['disable'])
                raise OSError('the display write-back refused %dx%d' % (width, height))
            self.size = (width, height)
        self.users += 1

    def close(self):
        self.users -= 1
        if self.users > 0:
            return
        self.users = 0
        for h in self.held:
            quietly(self.api['release'], h[0])
        self.held = []
        quietly(self.api['disable'])

    def newest(self, after):
        """The newest refresh, if it is newer than the pts `after` (None: any): held, else dumped now
        (none waited for). [frame, pts, channels encoding it], or None."""
        if not self.held or (after is not None and self.held[-1][1] <= after):
            frame = self.api['frame']()
            if self.api['dump'](frame, 0) != 0:
                return None
            self.held.append([frame, frame.v_frame.pts, 0])
            self.trim()
        h = self.held[-1]
        return h if after is None or h[1] > after else None

    def give_back(self, frame):
        """A channel's picture of `frame` came out (or it was never sent)."""
        for h in self.held:
            if h[0] is frame:
                h[2] -= 1
        self.trim()

    def trim(self):
        """Every refresh but the newest that no channel encodes goes back to the write-back."""
        keep = []
        for i, h in enumerate(self.held):
            if h[2] > 0 or i == len(self.held) - 1:
                keep.append(h)
            else:
                self.api['release'](h[0])
        self.held = keep


WRITE_BACK = WriteBack()


class DisplayChannel(Channel):
    """An encoder channel fed by the display's write-back: each turn, the newest refresh that is due
    (at the stream's frame rate) goes to SendFrame; it is given back once its picture has come out."""

    def __init__(self, media, settings, display, chn=DISPLAY_CHANNEL):
        self.display = display
        self.create(media, chn, settings)
        self.bind = None
        self.in_flight = None  # (frame, sent at) until its picture comes out
        self.period_us = 1000000 // settings['fps']
        self.due = None  # the pts from which the next refresh is taken
        self.last_pts = None  # the newest refresh this channel has seen
        self.wb = None
        self.encoder.Start(chn)
        try:
            WRITE_BACK.open(settings['width'], settings['height'])
        except OSError:
            self.close()
            raise
        self.wb = WRITE_BACK

    def feed(self):
        """True when a frame went to the encoder in this call."""
        now = time.ticks_us()
        if self.in_flight is not None:
            if time.ticks_diff(now, self.in_flight[1]) < IN_FLIGHT_US:
                return False
            self.give_back()
        held = self.wb.newest(self.last_pts)
        if held is None:
            return False
        frame, pts = held[0], held[1]
        self.last_pts = pts  # seen: sent now, or passed over
        if self.due is not None and pts < self.due:
            return False  # a refresh between two of the stream's frames
        # The next is due one period on; 2 ms early, so that a refresh on the period's edge is taken.
        self.due = (pts if self.due is None or pts - self.due > self.period_us else self.due) + self.period_us - 2000
        held[2] += 1
        if self.encoder.SendFrame(self.chn, frame) != 0:
            self.wb.give_back(frame)
            return False
        self.in_flight = (frame, now)
        return True

    def give_back(self):
        if self.in_flight is not None:
            self.wb.give_back(self.in_flight[0])
            self.in_flight = None

    def next_frame(self, wait_ms=0):
        # The encoder takes a few ms: waiting for them here sends the picture a whole turn sooner.
        frame = Channel.next_frame(self, ENCODE_WAIT_MS if self.feed() else wait_ms)
        if frame is not None:
            self.give_back()  # its picture came out: the write-back's frame is free again
        return frame

    def close(self):
        self.give_back()
        quietly(self.encoder.Stop, self.chn)
        quietly(self.encoder.Destroy, self.chn)
        if self.wb is not None:
            self.wb.close()
            self.wb = None
