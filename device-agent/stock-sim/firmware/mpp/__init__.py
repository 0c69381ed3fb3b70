# mpp of the simulated board: the MPP names that the display's write-back (WBC) takes from Python, as
# canmv_k230's resources/libs/WBCRtsp.py uses them (`from mpp import *`): the WBC's attributes, enable
# and disable, and dump/release of one composited frame, whose k_video_frame_info Encoder.SendFrame
# then takes. Here a frame's phys_addr[0] names the simulated board's composited picture (held until
# released); the bytes never pass through the VM. Numeric values are the simulator's own.
import struct
import _board


class k_vo_size:
    def __init__(self):
        self.width = 0
        self.height = 0


class k_vo_wbc_attr:
    def __init__(self):
        self.blk_cnt = 0
        self.dump_size = k_vo_size()


class k_video_frame:
    def __init__(self):
        self.width = 0
        self.height = 0
        self.pts = 0
        self.phys_addr = [0, 0, 0]


class k_video_frame_info:
    def __init__(self):
        self.v_frame = k_video_frame()
        self.pool_id = 0
        self.mod_id = 0


def kd_mpi_vo_set_wbc_attr(attr):
    return _board.wbc_set(attr.dump_size.width, attr.dump_size.height, attr.blk_cnt)


def kd_mpi_vo_enable_wbc():
    return _board.wbc_enable(True)


def kd_mpi_vo_disable_wbc():
    return _board.wbc_enable(False)


_wbc = {'dev': None, 'head': bytearray(24)}


def kd_mpi_wbc_dump_frame(frame, timeout_ms):
    """0 and the next composited frame in `frame`, or -1 when none came within timeout_ms (-1: wait)."""
    if _wbc['dev'] is None:
        _wbc['dev'] = open('/dev/wbc', 'rb')
    _board.wbc_timeout(timeout_ms)
    head = _wbc['head']
    if _wbc['dev'].readinto(head) != len(head):
        return -1
    ident, width, height, _, pts = struct.unpack('<IIIIQ', head)
    v = frame.v_frame
    v.width, v.height, v.pts = width, height, pts
    v.phys_addr[0] = ident
    return 0


def kd_mpi_wbc_dump_release(frame):
    return _board.wbc_release(frame.v_frame.phys_addr[0])
