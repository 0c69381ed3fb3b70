# image of the simulated board: image.Image, its format names and its drawing methods, with the
# arguments, defaults and errors of canmv's py_image.c and py_helper.c (docs/simulated-image.md).
# The pixels live in JavaScript (`_image`, src/simulators/stock-board/image/): an Image keeps a
# handle to them and a token whose release, when the VM collects the Image, frees them.
import gc
import _image

# the firmware's values (imlib.h's pixformat_t)
BINARY = 0x08010000
GRAYSCALE = 0x08020001
RGB565 = 0x0C030002
BAYER = 0x05040001
YUV422 = 0x1C050002
JPEG = 0x06060000
PNG = 0x06070000
ARGB8888 = 0x0C080004
BGRA8888 = 0x0C080304
RGB888 = 0x0C090003
RGBP888 = 0x0C090203
YUV420 = 0x1C0A0023

ALLOC_MPGC = 0
ALLOC_HEAP = 1
ALLOC_MMZ = 2
ALLOC_VB = 3
ALLOC_REF = 4

AREA = 1
BILINEAR = 2
BICUBIC = 4
CENTER = 128

# the formats the simulator draws in: bytes a pixel, and the name print() shows
_FORMATS = {
    GRAYSCALE: (1, "grayscale"),
    RGB565: (2, "rgb565"),
    RGB888: (3, "rgb888"),
    ARGB8888: (4, "argb8888"),
    BGRA8888: (4, "bgra8888"),
}
_OTHERS = {BINARY: "BINARY", BAYER: "BAYER", YUV422: "YUV422", JPEG: "JPEG", PNG: "PNG", RGBP888: "RGBP888",
           YUV420: "YUV420"}
_UNSET = object()


def _int(v):
    # mp_obj_get_int: ints and bools only
    if isinstance(v, int):
        return int(v)
    raise TypeError("can't convert %s to int" % type(v).__name__)


def _color(c):
    # py_helper_keyword_color: an int as it is, or ([A,]R,G,B) packed byte by byte onto -1 (white),
    # so that (r, g, b) is opaque; passed on as one signed 32-bit 0xAARRGGBB
    if c is _UNSET:
        v = -1
    elif isinstance(c, int):
        v = int(c)
    elif isinstance(c, (tuple, list)):
        if len(c) != 3 and len(c) != 4:
            raise ValueError("color=([A,]R,G,B)")
        v = -1
        for part in c:
            v = (v << 8) | (_int(part) & 0xFF)
    else:
        raise TypeError("object '%s' isn't a tuple or list" % type(c).__name__)
    v &= 0xFFFFFFFF
    if v > 0x7FFFFFFF:
        v -= 0x100000000
    return v


def _consume(args, n):
    # py_helper_consume_array: a tuple or list of n, or n positional arguments; then the rest
    if args and isinstance(args[0], (tuple, list)):
        if len(args[0]) != n:
            raise ValueError("requested length %d but object has length %d" % (n, len(args[0])))
        return args[0], args[1:]
    if len(args) < n:
        raise OSError("Not enough positional arguments!")
    return args[:n], args[n:]


def _arg(rest, i, kwargs, name, default):
    # py_helper_keyword_*: the keyword if given, else the positional one, else the default
    if name in kwargs:
        return kwargs[name]
    if len(rest) > i:
        return rest[i]
    return default


def _new_handle(w, h, fmt):
    handle = _image.create(w, h, fmt)
    if handle == 0:
        # as py_image_alloc: collect once (freeing the pixels of every Image no longer held), retry
        gc.collect()
        handle = _image.create(w, h, fmt)
    if handle == 0:
        raise MemoryError("image mmz alloc failed: the simulated board's images hold %d MiB" %
                          (_image.in_use() >> 20))
    if handle < 0:
        raise NotImplementedError("image format %s is not simulated" % _OTHERS.get(fmt, fmt))
    return handle


def _str(s):
    if not isinstance(s, str):
        raise TypeError("can't convert '%s' object to str implicitly" % type(s).__name__)
    return s


class Image:
    def __init__(self, *args, **kwargs):
        if not args:
            raise TypeError("function missing 1 required positional arguments")
        if not isinstance(args[0], int):
            _str(args[0])
            raise NotImplementedError("image.Image(path): loading image files is not simulated")
        if len(args) < 3:
            raise OSError("Expected width, height, and type")
        w = _int(args[0])
        if w <= 0:
            raise OSError("Width must be > 0")
        h = _int(args[1])
        if h <= 0:
            raise OSError("Height must be > 0")
        fmt = _int(args[2])
        if fmt not in _FORMATS and fmt not in _OTHERS:
            raise OSError("Unsupported type")
        self._w = w
        self._h = h
        self._fmt = fmt
        self._handle = _new_handle(w, h, fmt)
        self._token = _image.token(self._handle)
        data = kwargs.get("data")
        if data is not None:
            # ALLOC_REF shares the buffer on the board; here its bytes are copied in
            size = self.size()
            if len(data) < size:
                raise ValueError("Not enough data")
            _image.write(self._handle, bytes(memoryview(data)[:size]).hex())
        cvt = kwargs.get("cvt_565")
        if cvt is not None and not isinstance(cvt, bool):
            raise ValueError("cvt only support True or False")
        if cvt:
            if fmt != RGB888:
                raise ValueError("cvt not support format %x" % fmt)
            self._become(RGB565)

    def _become(self, fmt):
        # the pixels converted to fmt, in a new handle that replaces this one
        handle = _new_handle(self._w, self._h, fmt)
        _image.convert(self._handle, handle)
        _image.free(self._handle)
        self._handle = handle
        self._token = _image.token(handle)
        self._fmt = fmt

    def _made(self, fmt, same):
        # a new Image of this size in fmt: this one's bytes (same), or its pixels converted as py_image_to does
        other = Image(self._w, self._h, fmt)
        if same:
            _image.copy(self._handle, other._handle)
        else:
            _image.convert(self._handle, other._handle)
        return other

    def _camera(self, frame_number):
        # the simulated camera's picture at frame_number over the whole image (for sensor.snapshot)
        _image.camera(self._handle, frame_number)
        return self

    def __del__(self):
        _image.free(self._handle)

    def __str__(self):
        return '{"w":%d, "h":%d, "type":"%s", "size":%d}' % (self._w, self._h, _FORMATS[self._fmt][1], self.size())

    __repr__ = __str__

    def __len__(self):
        return self._h

    def width(self):
        return self._w

    def height(self):
        return self._h

    def format(self):
        return self._fmt

    def size(self):
        return self._w * self._h * _FORMATS[self._fmt][0]

    def bytearray(self):
        # on the board, a bytearray over the image's own memory; here a copy of its bytes
        return bytearray(bytes.fromhex(_image.read(self._handle)))

    def copy_from(self, obj):
        if isinstance(obj, Image):
            obj.copy_to(self)
            return None
        buf = memoryview(obj)
        if len(buf) != self.size():
            raise ValueError("image and buffer size mismatch")
        _image.write(self._handle, bytes(buf).hex())
        return None

    def copy_to(self, dst):
        if not isinstance(dst, Image):
            raise TypeError("Can't convert %s to Image" % type(dst).__name__)
        if self.size() != dst.size():
            raise ValueError("image size or format mismatch")
        _image.copy(self._handle, dst._handle)
        return None

    def _plain(self, name, kwargs):
        for key in kwargs:
            if key not in ("alloc", "cache", "copy"):
                raise NotImplementedError("%s(%s=...) is not simulated" % (name, key))

    def to_grayscale(self, **kwargs):
        self._plain("to_grayscale", kwargs)
        return self._made(GRAYSCALE, False)

    def to_rgb565(self, **kwargs):
        self._plain("to_rgb565", kwargs)
        return self._made(RGB565, False)

    def to_rgb888(self, **kwargs):
        self._plain("to_rgb888", kwargs)
        return self._made(RGB888, False)

    def copy(self, **kwargs):
        self._plain("copy", kwargs)
        return self._made(self._fmt, True)

    def clear(self, mask=None):
        if mask is not None:
            raise NotImplementedError("clear(mask=...) is not simulated")
        _image.clear(self._handle)
        return self

    def draw_line(self, *args, **kwargs):
        v, rest = _consume(args, 4)
        c = _color(_arg(rest, 0, kwargs, "color", _UNSET))
        t = _int(_arg(rest, 1, kwargs, "thickness", 1))
        _image.line(self._handle, _int(v[0]), _int(v[1]), _int(v[2]), _int(v[3]), c, t)
        return self

    def draw_rectangle(self, *args, **kwargs):
        v, rest = _consume(args, 4)
        c = _color(_arg(rest, 0, kwargs, "color", _UNSET))
        t = _int(_arg(rest, 1, kwargs, "thickness", 1))
        fill = bool(_arg(rest, 2, kwargs, "fill", False))
        _image.rect(self._handle, _int(v[0]), _int(v[1]), _int(v[2]), _int(v[3]), c, t, fill)
        return self

    def draw_circle(self, *args, **kwargs):
        v, rest = _consume(args, 3)
        c = _color(_arg(rest, 0, kwargs, "color", _UNSET))
        t = _int(_arg(rest, 1, kwargs, "thickness", 1))
        fill = bool(_arg(rest, 2, kwargs, "fill", False))
        _image.circle(self._handle, _int(v[0]), _int(v[1]), _int(v[2]), c, t, fill)
        return self

    def draw_cross(self, *args, **kwargs):
        v, rest = _consume(args, 2)
        c = _color(_arg(rest, 0, kwargs, "color", _UNSET))
        s = _int(_arg(rest, 1, kwargs, "size", 5))
        t = _int(_arg(rest, 2, kwargs, "thickness", 1))
        _image.cross(self._handle, _int(v[0]), _int(v[1]), c, s, t)
        return self

    def draw_string(self, *args, **kwargs):
        # the rotation and mirror arguments are taken and not simulated
        v, rest = _consume(args, 3)
        x = _int(v[0])
        y = _int(v[1])
        text = _str(v[2])
        c = _color(_arg(rest, 0, kwargs, "color", _UNSET))
        scale = float(_arg(rest, 1, kwargs, "scale", 1.0))
        if not scale > 0:
            raise OSError("Error: 0 < scale!")
        xs = _int(_arg(rest, 2, kwargs, "x_spacing", 0))
        ys = _int(_arg(rest, 3, kwargs, "y_spacing", 0))
        mono = bool(_arg(rest, 4, kwargs, "mono_space", True))
        print("Deprecated function, please use draw_string_advanced.", end="")
        err = _image.cells(self._handle, x, y, text, c, scale, xs, ys, mono)
        if err:
            raise OSError(err)
        return self

    def draw_string_advanced(self, *args, **kwargs):
        v, rest = _consume(args, 4)
        x = _int(v[0])
        y = _int(v[1])
        size = _int(v[2])
        text = _str(v[3])
        c = _color(_arg(rest, 0, kwargs, "color", _UNSET))
        font = _arg(rest, 1, kwargs, "font", None)
        if font is not None:
            # the board opens the file it names; the simulator checks it is there, then draws in DejaVu Sans
            import os
            try:
                os.stat(_str(font))
            except OSError:
                raise OSError("Open font %s failed." % font)
        err = _image.text(self._handle, x, y, size, text, c)
        if err:
            raise OSError(err)
        return self
