# media.sensor of the simulated board: one sensor whose channels feed encoder channels, a display's
# video layer (bind_info, then Display.bind_layer), or snapshot(): an image.Image of the next frame,
# drawn by the simulator (src/simulators/stock-board/image) as the camera pattern.
import _board
import _image
import image
from media.media import CAMERA_MOD_ID, CAM_CHN_ID_0


class Sensor:
    YUV420SP = 1
    RGB888 = 2
    RGB565 = 3
    GRAYSCALE = 4

    def __init__(self, id=2, width=1920, height=1080, fps=60, **kwargs):
        self.fps = 30 if fps <= 30 else 60
        self.enabled = False
        self.running = False
        self.sizes = {}
        self.formats = {}
        self.images = {}  # channel -> the Image its snapshots fill
        print("find sensor simulated_pattern, type 0, output 1920x1080@%d" % self.fps)

    def reset(self):
        self.enabled = True
        self.sizes = {}
        self.formats = {}
        self.images = {}

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
        self.formats[chn] = pix_format
        self.images.pop(chn, None)

    def width(self, chn=CAM_CHN_ID_0):
        return self.sizes.get(chn, (1920, 1080))[0]

    def height(self, chn=CAM_CHN_ID_0):
        return self.sizes.get(chn, (1920, 1080))[1]

    def snapshot(self, chn=CAM_CHN_ID_0, timeout=1000):
        """The channel's next frame as an image.Image (the same Image each call, refilled)."""
        if not self.running:
            raise RuntimeError("sensor is not running")
        formats = {self.RGB888: image.RGB888, self.RGB565: image.RGB565, self.GRAYSCALE: image.GRAYSCALE}
        fmt = formats.get(self.formats.get(chn, self.YUV420SP))
        if fmt is None:
            raise RuntimeError("snapshot of chn(%d): set_pixformat RGB888, RGB565 or GRAYSCALE first" % chn)
        img = self.images.get(chn)
        if img is None:
            w, h = self.sizes.get(chn, (1920, 1080))
            img = self.images[chn] = image.Image(w, h, fmt)
        _image.camera(img._handle, _board.sensor_frame_wait(self.fps))
        return img

    def bind_info(self, x=0, y=0, chn=CAM_CHN_ID_0):
        w, h = self.sizes.get(chn, (1920, 1080))
        return {'src': (CAMERA_MOD_ID, 0, chn), 'rect': (x, y, w, h), 'pix_format': self.YUV420SP}

    def run(self):
        if not self.enabled:
            raise RuntimeError("sensor is not reset")
        _board.sensor_run(self.fps)
        self.running = True

    def stop(self, is_del=False):
        _board.sensor_run(0)
        self.enabled = False
        self.running = False

    @classmethod
    def deinit(cls):
        _board.sensor_run(0)
