# media.display of the simulated board: Display (canmv_k230 v1.7's port/builtin_py/media/display.py,
# docs/display-source.md): a virtual display (VIRT) or a panel, its video layers (the camera, bound
# with bind_layer) and OSD layers (show_image), composited by the simulated VO at the display's
# refresh rate. The composited picture is what the write-back (mpp's kd_mpi_wbc_*) hands out; the
# pixels stay with the simulated board (src/simulators/stock-board/display-output.ts).
import _board
from media.media import CAMERA_MOD_ID
from mpp.connector import (DSI_VIRTUAL_DEVICE, DSI_DEBUGGER_DEVICE, ST7701_V1_MIPI_2LAN_480X800_30FPS,
                           HX8399_V2_MIPI_4LAN_1080X1920_30FPS, LT9611_MIPI_4LAN_1920X1080_30FPS,
                           LT9611_MIPI_4LAN_1920X1080_60FPS, LT9611_MIPI_4LAN_1280X720_30FPS,
                           LT9611_MIPI_4LAN_1280X720_60FPS, LT9611_MIPI_4LAN_640X480_60FPS)
import image

# connector -> (width, height, fps) of the panel as the firmware drives it (landscape)
_PANELS = {
    ST7701_V1_MIPI_2LAN_480X800_30FPS: (800, 480, 30),
    HX8399_V2_MIPI_4LAN_1080X1920_30FPS: (1920, 1080, 30),
    LT9611_MIPI_4LAN_1920X1080_30FPS: (1920, 1080, 30),
    LT9611_MIPI_4LAN_1920X1080_60FPS: (1920, 1080, 60),
    LT9611_MIPI_4LAN_1280X720_30FPS: (1280, 720, 30),
    LT9611_MIPI_4LAN_1280X720_60FPS: (1280, 720, 60),
    LT9611_MIPI_4LAN_640X480_60FPS: (640, 480, 60),
}


class Display:
    VIRT, DEBUGGER, ST7701, HX8399, ILI9806, LT9611 = 300, 301, 302, 303, 304, 305
    LAYER_VIDEO1, LAYER_VIDEO2 = 1, 2
    LAYER_OSD0, LAYER_OSD1, LAYER_OSD2, LAYER_OSD3 = 3, 4, 5, 6
    FLAG_ROTATION_0, FLAG_ROTATION_90, FLAG_ROTATION_180, FLAG_ROTATION_270 = 0, 1, 2, 4
    FLAG_MIRROR_NONE, FLAG_MIRROR_HOR, FLAG_MIRROR_VER, FLAG_MIRROR_BOTH = 0, 8, 16, 24

    _is_inited = False
    _osd_layer_num = 1
    _write_back_to_ide = False
    _connector_type = None
    _width = 0
    _height = 0
    _fps = 0
    _binds = {}  # video layer -> (sensor channel, rect)

    @classmethod
    def bind_layer(cls, src=None, dst=None, layer=None, rect=(0, 0, 0, 0), pix_format=None, alpha=255, flag=0):
        if src is None or not isinstance(src, tuple) or len(src) != 3:
            raise ValueError("src should be (mod, dec, layer)")
        layer = cls.LAYER_VIDEO1 if layer is None else layer
        if src[0] != CAMERA_MOD_ID or layer not in (cls.LAYER_VIDEO1, cls.LAYER_VIDEO2):
            raise ValueError("this simulated board binds the camera to a video layer only")
        if layer in cls._binds:
            print("bind_layer: layer(%d) haver been bind, auto unbind it." % layer)
        cls._binds[layer] = (src[2], rect)
        if cls._is_inited:
            cls._show_video(layer)

    @classmethod
    def unbind_layer(cls, layer):
        if cls._binds.pop(layer, None) is None:
            print("unbind layer(%d) failed." % layer)
        elif cls._is_inited:
            _board.display_video(layer, -1, 0, 0, 0, 0)

    @classmethod
    def _show_video(cls, layer):
        chn, rect = cls._binds[layer]
        x, y, w, h = rect
        _board.display_video(layer, chn, x, y, w or cls._width, h or cls._height)

    @classmethod
    def init(cls, type=None, width=None, height=None, osd_num=1, to_ide=False, flag=None, fps=None, quality=90):
        if cls._is_inited:
            print("Already run Display.init()")
            return
        if type is None:
            raise ValueError("please run Display.init(type=)")
        if type == cls.VIRT:
            connector = DSI_VIRTUAL_DEVICE
            w, h, f = width or 640, height or 480, fps or 90
            if w & 7:
                raise ValueError("width must be an integral multiple of 8 pixels")
            if not (64 <= w <= 4096 and 64 <= h <= 4096 and 1 <= f <= 200):
                raise ValueError("virtual display %dx%d@%d is outside 64x64..4096x4096, 1..200 fps" % (w, h, f))
        elif type == cls.ST7701:
            connector = ST7701_V1_MIPI_2LAN_480X800_30FPS
            if (width or 800, height or 480) != (800, 480):
                raise ValueError("ST7701 unsupport %dx%d (the simulated board has the 800x480 panel)" % (width, height))
        elif type == cls.HX8399:
            connector = HX8399_V2_MIPI_4LAN_1080X1920_30FPS
        elif type == cls.LT9611:
            size = (width or 1920, height or 1080, fps or 30)
            connector = None
            for c in (LT9611_MIPI_4LAN_1920X1080_30FPS, LT9611_MIPI_4LAN_1920X1080_60FPS,
                      LT9611_MIPI_4LAN_1280X720_30FPS, LT9611_MIPI_4LAN_1280X720_60FPS,
                      LT9611_MIPI_4LAN_640X480_60FPS):
                if _PANELS[c] == size:
                    connector = c
            if connector is None:
                raise ValueError("LT9611 unsupport %dx%d@%d" % size)
        elif type == cls.DEBUGGER:
            raise RuntimeError("Can't open display device")
        else:
            raise AssertionError("Unsupport display type %d" % type)
        if connector != DSI_VIRTUAL_DEVICE:
            w, h, f = _PANELS[connector]
        cls._connector_type = connector
        cls._width, cls._height, cls._fps = w, h, f
        cls._osd_layer_num = max(osd_num, 1)
        cls._write_back_to_ide = bool(to_ide)
        _board.display_init(w, h, f)
        cls._is_inited = True
        for layer in cls._binds:
            cls._show_video(layer)

    @classmethod
    def deinit(cls):
        if not cls._is_inited:
            print("did't call Display.init()")
            return
        _board.display_deinit()
        cls._binds = {}
        cls._is_inited = False
        cls._write_back_to_ide = False
        cls._connector_type = None
        cls._width = cls._height = cls._fps = 0

    @classmethod
    def width(cls, layer=None):
        return cls._width

    @classmethod
    def height(cls, layer=None):
        return cls._height

    @classmethod
    def fps(cls, layer=None):
        return cls._fps

    @classmethod
    def show_image(cls, img, x=0, y=0, layer=None, alpha=255, flag=None):
        if not cls._is_inited:
            raise RuntimeError("please run Display.init() first")
        layer = cls.LAYER_OSD0 if layer is None else layer
        if not (cls.LAYER_OSD0 <= layer <= cls.LAYER_OSD3):
            raise AssertionError("layer(%d) is out of range." % layer)
        if img.width() & 7:
            raise ValueError("Image width must be an integral multiple of 8 pixels")
        if img.width() * img.height() > cls._width * cls._height:
            raise ValueError("Image size is too large")
        if img.format() not in (image.ARGB8888, image.RGB888, image.RGB565, image.GRAYSCALE):
            raise ValueError("Image format(%d) not support" % img.format())
        _board.display_layer(layer, x, y, img._handle, alpha)
