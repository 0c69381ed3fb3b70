# media.vencoder of the simulated board: Encoder over the simulator's encoder channels. GetStream
# hands out one pack per call (HEADER before each IDR, then I or P), Annex-B at an address that
# uctypes.bytearray_at reads, as the firmware's kd_mpi_sys_mmap'd packs are: here the channel's
# stream buffer, filled by a read of the channel's device /dev/vencN.
import struct
import uctypes
import _board
from media.media import VENC_CHN_ID_MAX, VENC_PACK_CNT_MAX, ALIGN_UP

K_PT_H264 = 96
K_PT_H265 = 265
VENC_PROFILE_H264_BASELINE, VENC_PROFILE_H264_MAIN, VENC_PROFILE_H264_HIGH, VENC_PROFILE_H265_MAIN = 0, 1, 2, 3
K_VENC_P_FRAME, K_VENC_I_FRAME, K_VENC_HEADER = 1, 2, 3


def _check(chn):
    if chn < 0 or chn > VENC_CHN_ID_MAX - 1:
        raise ValueError("venc chn id %d out of range 0 ~ 3" % chn)


def kd_mpi_venc_request_idr(chn):
    _check(chn)
    return _board.venc_idr(chn)


class ChnAttrStr:
    def __init__(self, payloadType, profile, picWidth, picHeight, bit_rate=4000, gopLen=30, src_frame_rate=30,
                 dst_frame_rate=30):
        self.payload_type = payloadType
        self.profile = profile
        self.pic_width = picWidth
        self.pic_height = picHeight
        self.gop_len = gopLen
        self.bit_rate = bit_rate
        self.src_frame_rate = src_frame_rate
        self.dst_frame_rate = dst_frame_rate


class StreamData:
    def __init__(self):
        self.data = [0] * VENC_PACK_CNT_MAX
        self.phy_addr = [0] * VENC_PACK_CNT_MAX
        self.data_size = [0] * VENC_PACK_CNT_MAX
        self.stream_type = [0] * VENC_PACK_CNT_MAX
        self.pts = [0] * VENC_PACK_CNT_MAX
        self.pack_cnt = 0


_TYPES = (K_VENC_HEADER, K_VENC_I_FRAME, K_VENC_P_FRAME)


class Encoder:
    PAYLOAD_TYPE_H264 = K_PT_H264
    PAYLOAD_TYPE_H265 = K_PT_H265
    H264_PROFILE_BASELINE = VENC_PROFILE_H264_BASELINE
    H264_PROFILE_MAIN = VENC_PROFILE_H264_MAIN
    H264_PROFILE_HIGH = VENC_PROFILE_H264_HIGH
    H265_PROFILE_MAIN = VENC_PROFILE_H265_MAIN
    STREAM_TYPE_HEADER = K_VENC_HEADER
    STREAM_TYPE_I = K_VENC_I_FRAME
    STREAM_TYPE_P = K_VENC_P_FRAME

    def __init__(self):
        self.outbuf_num = 0
        self._buf = None
        self._dev = None

    def SetOutBufs(self, chn, buf_num, width, height):
        _check(chn)
        self.outbuf_num = buf_num

    def Create(self, chn, attr):
        _check(chn)
        if attr.payload_type not in (K_PT_H264, K_PT_H265):
            raise OSError("mpi venc create chn failed.")
        codec = 1 if attr.payload_type == K_PT_H264 else 2
        profile = 1 if attr.profile == VENC_PROFILE_H265_MAIN else attr.profile
        size = ALIGN_UP(attr.pic_width * attr.pic_height * 3 // 4, 4096)
        if _board.venc_create(chn, attr.pic_width, attr.pic_height, codec, profile, attr.bit_rate, attr.gop_len,
                              attr.dst_frame_rate, size, self.outbuf_num or 8) != 0:
            raise OSError("mpi venc create chn failed.")
        self._buf = bytearray(16 + size)
        self._dev = open('/dev/venc%d' % chn, 'rb')

    def Start(self, chn):
        _check(chn)
        if _board.venc_start(chn) != 0:
            raise OSError("mpi venc start failed.")

    def GetStream(self, chn, streamData, timeout=-1):
        _check(chn)
        _board.venc_timeout(chn, timeout)
        if not self._dev.readinto(self._buf):
            return -1
        kind, size, pts = struct.unpack_from('<IIQ', self._buf)
        addr = uctypes.addressof(self._buf) + 16
        streamData.pack_cnt = 1
        streamData.data[0] = addr
        streamData.phy_addr[0] = addr
        streamData.data_size[0] = size
        streamData.stream_type[0] = _TYPES[kind]
        streamData.pts[0] = pts
        return 0

    def SendFrame(self, chn, frame, timeout=1000):
        """A frame of the display's write-back (mpp's kd_mpi_wbc_dump_frame) into the channel."""
        _check(chn)
        return _board.venc_send_frame(chn, frame.v_frame.phys_addr[0])

    def ReleaseStream(self, chn, streamData):
        _check(chn)
        _board.venc_release(chn)

    def Stop(self, chn):
        _check(chn)
        if _board.venc_stop(chn) != 0:
            raise OSError("mpi venc stop failed.")

    def Destroy(self, chn):
        _check(chn)
        if self._dev:
            self._dev.close()
            self._dev = None
        if _board.venc_destroy(chn) != 0:
            raise OSError("mpi venc destroy failed.")
