# media.media of the simulated board: module ids, channel ids, MediaManager (canmv_k230 v1.7).
import _board

CAMERA_MOD_ID = 2
VIDEO_ENCODE_MOD_ID = 4
VENC_DEV_ID = 0
CAM_DEV_ID_0 = 0
CAM_CHN_ID_0, CAM_CHN_ID_1, CAM_CHN_ID_2 = 0, 1, 2
VENC_CHN_ID_0, VENC_CHN_ID_1, VENC_CHN_ID_2, VENC_CHN_ID_3 = 0, 1, 2, 3
VENC_CHN_ID_MAX = 4
VENC_PACK_CNT_MAX = 12


def ALIGN_UP(x, a):
    return (x + a - 1) // a * a


_links = []  # as the firmware keeps every link until destroy() or soft reset


class _Link:
    def __init__(self, src, dst):
        self.src = src
        self.dst = dst
        _board.bind(src[2], dst[2], True)

    def destroy(self):
        if self in _links:
            _links.remove(self)
            _board.bind(self.src[2], self.dst[2], False)


class MediaManager:
    @staticmethod
    def init(*args, **kwargs):
        print("deprecated function")

    @staticmethod
    def deinit(*args, **kwargs):
        print("deprecated function")

    @staticmethod
    def _config(*args, **kwargs):
        raise RuntimeError("deprecated function")

    @staticmethod
    def link(src, dst):
        if not isinstance(src, tuple) or len(src) != 3 or not isinstance(dst, tuple) or len(dst) != 3:
            raise TypeError("src and dst are (module, device, channel) tuples")
        if src[0] != CAMERA_MOD_ID or dst[0] != VIDEO_ENCODE_MOD_ID:
            raise OSError("this simulated board binds a sensor channel to an encoder channel only")
        link = _Link(src, dst)
        _links.append(link)
        return link
