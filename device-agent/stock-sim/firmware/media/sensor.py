# media.sensor of the simulated board: one sensor whose channels feed encoder channels.
import _board
from media.media import CAMERA_MOD_ID, CAM_CHN_ID_0


class Sensor:
    YUV420SP = 1
    RGB888 = 2
    RGB565 = 3
    GRAYSCALE = 4

    def __init__(self, id=2, width=1920, height=1080, fps=60, **kwargs):
        self.fps = 30 if fps <= 30 else 60
        self.enabled = False
        self.sizes = {}
        print("find sensor simulated_pattern, type 0, output 1920x1080@%d" % self.fps)

    def reset(self):
        self.enabled = True
        self.sizes = {}

    def set_framesize(self, framesize=None, chn=CAM_CHN_ID_0, alignment=0, crop=None, **kwargs):
        if not self.enabled:
            raise RuntimeError("sensor is not reset")
        w = kwargs.get('width', kwargs.get('w'))
        h = kwargs.get('height', kwargs.get('h'))
        if w < 64 or h < 64 or w > 1920 or h > 1080:
            raise ValueError("frame size %dx%d is not supported" % (w, h))
        self.sizes[chn] = ((w + 15) // 16 * 16, h)

    def set_pixformat(self, pix_format, chn=CAM_CHN_ID_0):
        if not self.enabled:
            raise RuntimeError("sensor is not reset")

    def bind_info(self, x=0, y=0, chn=CAM_CHN_ID_0):
        w, h = self.sizes.get(chn, (1920, 1080))
        return {'src': (CAMERA_MOD_ID, 0, chn), 'rect': (x, y, w, h), 'pix_format': self.YUV420SP}

    def run(self):
        if not self.enabled:
            raise RuntimeError("sensor is not reset")
        _board.sensor_run(self.fps)

    def stop(self, is_del=False):
        _board.sensor_run(0)
        self.enabled = False

    @classmethod
    def deinit(cls):
        _board.sensor_run(0)
