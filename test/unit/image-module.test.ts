// The simulated board's `image` module: device-agent/stock-sim/firmware/image.py in the real
// MicroPython VM over `_image` (src/simulators/stock-board/image/), drawing as the firmware's
// imlib does, the image as a BT.601 OSD layer, the display's composition and the camera's picture.
import assert from 'node:assert/strict';
import { randomFillSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { cameraPicture, composeDisplay, imageLayer, imageModule, type LayerPixels } from '../../src/simulators/stock-board/image';
import { setFontPaths } from '../../src/simulators/stock-board/image/font';
import { imageOf, setImageBudget } from '../../src/simulators/stock-board/image/storage';

const firmware = path.join(__dirname, '..', '..', 'device-agent', 'stock-sim', 'firmware', 'image.py');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the VM's handle is untyped
let mp: any;
let out = '';

/** Runs Python; what it printed. A Python exception fails the test with its traceback. */
function py(code: string): string {
  out = '';
  mp.runPython(code);
  return out;
}

/** The exception a piece of Python raises, as "Type: message". */
function raised(code: string): string {
  const got = py(`try:\n    ${code}\n    print('no error')\nexcept Exception as e:\n    print('%s: %s' % (type(e).__name__, e))`).trim();
  return got;
}

/** The JavaScript handle of the image a Python name holds. */
function handle(name: string): number {
  return Number(py(`print(${name}._handle)`));
}

function pixel(name: string, x: number, y: number): number[] {
  const img = imageOf(handle(name));
  const at = (y * img.width + x) * img.bpp;
  return Array.from(img.data.subarray(at, at + img.bpp));
}

before(async () => {
  const { loadMicroPython } = await import('@micropython/micropython-webassembly-pyscript');
  mp = await loadMicroPython({ heapsize: 16 * 1024 * 1024, linebuffer: false, stdout: (b: Uint8Array) => (out += Buffer.from(b).toString()) });
  mp.registerJsModule('_image', imageModule());
  mp.FS.mkdir('/firmware');
  mp.FS.writeFile('/firmware/image.py', fs.readFileSync(firmware));
  py(`import sys\nsys.path.insert(0, '/firmware')\nimport image, gc`);
});

after(() => {
  setFontPaths(undefined);
  setImageBudget(undefined);
});

test('a filled rectangle covers (x, y) to (x+w-1, y+h-1) exactly, and drawing calls chain', () => {
  py(`img = image.Image(640, 480, image.ARGB8888)
same = img.clear().draw_rectangle(100, 80, 80, 80, color=(255, 255, 255, 255), fill=True) is img
print(img.width(), img.height(), img.format() == image.ARGB8888, img.size(), same, img)`);
  assert.equal(out.trim(), '640 480 True 1228800 True {"w":640, "h":480, "type":"argb8888", "size":1228800}');
  for (const [x, y] of [[100, 80], [179, 80], [100, 159], [179, 159]]) assert.deepEqual(pixel('img', x, y), [255, 255, 255, 255], `(${x}, ${y})`);
  for (const [x, y] of [[99, 80], [180, 159], [100, 160], [100, 79]]) assert.deepEqual(pixel('img', x, y), [0, 0, 0, 0], `(${x}, ${y})`);
});

test('a 2-pixel outline grows one pixel out and stays one pixel in (draw.c: thickness/2 out, (thickness-1)/2 in)', () => {
  py(`o = image.Image(64, 64, image.RGB888)\no.draw_rectangle((10, 10, 20, 20), (255, 0, 0), 2)`);
  const red = [255, 0, 0];
  const black = [0, 0, 0];
  for (const [x, y] of [[9, 9], [10, 10], [29, 10], [9, 29], [29, 29], [28, 15], [15, 28]]) assert.deepEqual(pixel('o', x, y), red, `(${x}, ${y})`);
  for (const [x, y] of [[11, 11], [27, 15], [30, 10], [9, 8], [8, 9], [15, 30], [20, 20]]) assert.deepEqual(pixel('o', x, y), black, `(${x}, ${y})`);
});

test("a line reaches both endpoints and a circle its four extreme points, not beyond", () => {
  py(`l = image.Image(128, 128, image.RGB888)
l.draw_line(5, 5, 50, 30, color=(0, 255, 0))
l.draw_line((5, 120, 100, 120), (0, 0, 255), 3)
l.draw_circle(64, 50, 20, color=(255, 255, 0))
l.draw_circle((64, 100, 10), (255, 0, 255), 1, True)
l.draw_cross(20, 70, color=(0, 255, 255), size=4)`);
  assert.deepEqual(pixel('l', 5, 5), [0, 255, 0]);
  assert.deepEqual(pixel('l', 50, 30), [0, 255, 0]);
  assert.deepEqual(pixel('l', 4, 5), [0, 0, 0]);
  assert.deepEqual(pixel('l', 51, 30), [0, 0, 0]);
  // thickness 3: a disc of radius 1 stamped along the line, rows 119..121
  for (const y of [119, 120, 121]) assert.deepEqual(pixel('l', 50, y), [0, 0, 255]);
  assert.deepEqual(pixel('l', 50, 122), [0, 0, 0]);
  assert.deepEqual(pixel('l', 50, 118), [0, 0, 0]);
  for (const [x, y] of [[84, 50], [44, 50], [64, 70], [64, 30]]) assert.deepEqual(pixel('l', x, y), [255, 255, 0], `(${x}, ${y})`);
  for (const [x, y] of [[85, 50], [43, 50], [64, 71], [64, 29], [64, 50]]) assert.deepEqual(pixel('l', x, y), [0, 0, 0], `(${x}, ${y})`);
  for (const [x, y] of [[64, 100], [74, 100], [54, 100], [64, 90], [64, 110]]) assert.deepEqual(pixel('l', x, y), [255, 0, 255], `(${x}, ${y})`);
  for (const [x, y] of [[75, 100], [64, 111], [72, 108]]) assert.deepEqual(pixel('l', x, y), [0, 0, 0], `(${x}, ${y})`);
  for (const [x, y] of [[16, 70], [24, 70], [20, 66], [20, 74]]) assert.deepEqual(pixel('l', x, y), [0, 255, 255], `(${x}, ${y})`);
  assert.deepEqual(pixel('l', 25, 70), [0, 0, 0]);
});

/** The box around every pixel of an ARGB8888 image with any alpha. */
function inkBox(name: string): { x0: number; y0: number; x1: number; y1: number } | undefined {
  const img = imageOf(handle(name));
  let box: { x0: number; y0: number; x1: number; y1: number } | undefined;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (!img.data[(y * img.width + x) * 4]) continue;
      if (!box) box = { x0: x, y0: y, x1: x, y1: y };
      box.x0 = Math.min(box.x0, x);
      box.y0 = Math.min(box.y0, y);
      box.x1 = Math.max(box.x1, x);
      box.y1 = Math.max(box.y1, y);
    }
  }
  return box;
}

test('draw_string_advanced puts its ink in the box below (x, y), char_size a line, and a larger size gives a wider box', () => {
  py(`t = image.Image(640, 240, image.ARGB8888)
t.draw_string_advanced(10, 10, 32, "fps 30", color=(255, 0, 0))
u = image.Image(640, 240, image.ARGB8888)
u.draw_string_advanced(10, 10, 48, "fps 30", (255, 0, 0))`);
  const small = inkBox('t')!;
  const large = inkBox('u')!;
  assert.ok(small && large, 'the text left ink');
  // the baseline is at y + char_size; DejaVu's ascent is 0.93 em, its descent 0.24 em
  assert.ok(small.x0 >= 10 && small.x0 <= 14, `left edge ${small.x0}`);
  assert.ok(small.y0 >= 10 && small.y0 <= 20, `top ${small.y0}`);
  assert.ok(small.y1 <= 10 + 32 + 10, `bottom ${small.y1}`);
  assert.ok(small.x1 > 10 + 32 * 2 && small.x1 < 10 + 32 * 6 * 0.8, `right edge ${small.x1}`);
  assert.ok(large.x1 - large.x0 > (small.x1 - small.x0) * 1.3, `48 px (${large.x1 - large.x0}) wider than 32 px (${small.x1 - small.x0})`);
  assert.ok(large.y1 - large.y0 > small.y1 - small.y0);
  // solid red where a stroke covers whole pixels, softer at its edges
  const img = imageOf(handle('t'));
  const alphas = new Set<number>();
  for (let i = 0; i < img.data.length; i += 4) alphas.add(img.data[i]);
  assert.ok(alphas.has(255) && alphas.size > 10, 'anti-aliased edges');
  const full = img.data.findIndex((_, i) => i % 4 === 0 && img.data[i] === 255);
  assert.deepEqual(Array.from(img.data.subarray(full, full + 4)), [255, 255, 0, 0]);
  // a second line one char_size lower, back at x
  py(`n = image.Image(320, 160, image.ARGB8888)\nn.draw_string_advanced(20, 0, 40, "A\\nA")`);
  const two = inkBox('n')!;
  assert.ok(two.x0 >= 20 && two.x0 < 26 && two.y1 > 40 + 20 && two.y1 <= 80 + 2, JSON.stringify(two));
});

test('draw_string says it is deprecated, as the firmware does, and inks 8x10 cells times scale', () => {
  const said = py(`d = image.Image(320, 64, image.ARGB8888)\nd.draw_string(4, 4, "Hi!", color=(255, 255, 255), scale=2)`);
  assert.equal(said, 'Deprecated function, please use draw_string_advanced.');
  const box = inkBox('d')!;
  assert.ok(box.x0 >= 4 && box.x1 < 4 + 3 * 16 && box.y0 >= 4 && box.y1 < 4 + 22, JSON.stringify(box));
});

test('without the font, text raises a one-line OSError naming the file looked for', () => {
  setFontPaths(['/nowhere/DejaVuSans.ttf']);
  try {
    const got = raised(`image.Image(64, 64, image.RGB888).draw_string_advanced(0, 0, 16, "x")`);
    assert.match(got, /^OSError: Open font \/nowhere\/DejaVuSans\.ttf failed/);
    assert.equal(got.split('\n').length, 1);
  } finally {
    setFontPaths(undefined);
  }
  assert.equal(raised(`image.Image(64, 64, image.RGB888).draw_string_advanced(0, 0, 16, "x", font="/sdcard/no.ttf")`), 'OSError: Open font /sdcard/no.ttf failed.');
});

test('a colour is an int as it is or ([A,]R,G,B), converted for each format as py_helper_keyword_color does', () => {
  const draw = (fmt: string, color: string) => {
    py(`c = image.Image(8, 8, image.${fmt})\nc.draw_rectangle(0, 0, 8, 8, ${color}, fill=True)`);
    return pixel('c', 3, 3);
  };
  assert.deepEqual(draw('RGB888', '0x123456'), [0x12, 0x34, 0x56]);
  assert.deepEqual(draw('RGB888', '(1, 2, 3)'), [1, 2, 3]);
  assert.deepEqual(draw('RGB888', '[9, 1, 2, 3]'), [1, 2, 3]);
  assert.deepEqual(draw('ARGB8888', '(255, 0, 0)'), [255, 255, 0, 0]);
  assert.deepEqual(draw('ARGB8888', '(128, 1, 2, 3)'), [128, 1, 2, 3]);
  assert.deepEqual(draw('ARGB8888', '0xFF0000'), [0, 255, 0, 0]); // an int has no alpha: transparent
  assert.deepEqual(draw('ARGB8888', '0x80FF0000'), [0x80, 255, 0, 0]);
  assert.deepEqual(draw('BGRA8888', '(255, 1, 2, 3)'), [3, 2, 1, 255]);
  assert.deepEqual(draw('RGB565', '(255, 0, 0)'), [0x00, 0xf8]);
  assert.deepEqual(draw('RGB565', '0x00FF00'), [0xe0, 0x07]);
  assert.deepEqual(draw('GRAYSCALE', '(255, 255, 255)'), [255]);
  assert.deepEqual(draw('GRAYSCALE', '(255, 0, 0)'), [75]); // (38R + 75G + 15B) >> 7
  assert.deepEqual(draw('GRAYSCALE', '128'), [15]); // an int is RGB888 here too: 0x000080
  py(`c = image.Image(8, 8, image.ARGB8888)\nc.draw_line(0, 3, 7, 3)`);
  assert.deepEqual(pixel('c', 3, 3), [255, 255, 255, 255], 'no colour: white');
});

test("bad arguments raise the firmware's errors", () => {
  assert.equal(raised(`image.Image(8, 8, image.RGB888).draw_rectangle(0, 0, 4, 4, (1, 2))`), 'ValueError: color=([A,]R,G,B)');
  assert.equal(raised(`image.Image(8, 8, image.RGB888).draw_rectangle(0, 0)`), 'OSError: Not enough positional arguments!');
  assert.equal(raised(`image.Image(8, 8, image.RGB888).draw_line((0, 0, 1))`), 'ValueError: requested length 4 but object has length 3');
  assert.equal(raised(`image.Image(0, 8, image.RGB888)`), 'OSError: Width must be > 0');
  assert.equal(raised(`image.Image(8, -1, image.RGB888)`), 'OSError: Height must be > 0');
  assert.equal(raised(`image.Image(8, 8, 12345)`), 'OSError: Unsupported type');
  assert.equal(raised(`image.Image(8, 8)`), 'OSError: Expected width, height, and type');
  assert.equal(raised(`image.Image(8, 8, image.RGB888, data=bytearray(10))`), 'ValueError: Not enough data');
  assert.match(raised(`image.Image(8, 8, image.YUV420)`), /^NotImplementedError: image format YUV420 is not simulated/);
  assert.equal(raised(`image.Image(8, 8, image.RGB888).draw_string(0, 0, "x", scale=0)`), 'OSError: Error: 0 < scale!');
});

test('bytearray() copies the pixels out, data= and copy_from() copy them in, to_*() convert as py_image_to does', () => {
  py(`b = image.Image(4, 2, image.RGB888, data=bytes(range(24)))
ba = b.bytearray()
print(type(ba).__name__, len(ba), ba[0], ba[23])
g = b.to_grayscale()
r = b.to_rgb565()
e = image.Image(2, 1, image.RGB888, data=b'\\x07\\x07\\x07\\xff\\xff\\xff').to_rgb888()
print(g.format() == image.GRAYSCALE, r.format() == image.RGB565, r.size(), list(e.bytearray()))
b.copy_from(bytearray(24))
print(sum(b.bytearray()), b.copy().size())`);
  assert.equal(out.trim(), 'bytearray 24 0 23\nTrue True 16 [0, 4, 0, 248, 252, 248]\n0 24');
});

test('imageLayer: BT.601 limited range (white 235/128/128, black 16, red 81/90/240), alpha only where an ARGB image is not opaque', () => {
  const layerOf = (fmt: string, color: string): LayerPixels => {
    py(`s = image.Image(16, 16, image.${fmt})\ns.draw_rectangle(0, 0, 16, 16, ${color}, fill=True)`);
    return imageLayer(handle('s'));
  };
  const yuv = (p: LayerPixels) => [p.y[0], p.u[0], p.v[0]];
  assert.deepEqual(yuv(layerOf('RGB888', '(255, 255, 255)')), [235, 128, 128]);
  assert.deepEqual(yuv(layerOf('RGB888', '(0, 0, 0)')), [16, 128, 128]);
  assert.deepEqual(yuv(layerOf('RGB888', '(255, 0, 0)')), [81, 90, 240]);
  assert.deepEqual(yuv(layerOf('RGB888', '(0, 255, 0)')), [145, 54, 34]);
  assert.deepEqual(yuv(layerOf('RGB888', '(0, 0, 255)')), [41, 240, 110]);
  assert.deepEqual(yuv(layerOf('RGB565', '(255, 255, 255)')), [235, 128, 128]);
  assert.deepEqual(yuv(layerOf('GRAYSCALE', '(255, 255, 255)')), [235, 128, 128]);
  const opaque = layerOf('ARGB8888', '(255, 0, 0)');
  assert.deepEqual(yuv(opaque), [81, 90, 240]);
  assert.equal(opaque.alpha, undefined);
  const half = layerOf('ARGB8888', '(128, 255, 255, 255)');
  assert.equal(half.alpha![0], 128);
  assert.equal(half.u.length, 64);
  assert.equal(imageLayer(handle('s')), half, 'unchanged: the same conversion');
  py(`s.clear()`);
  assert.notEqual(imageLayer(handle('s')), half, 'changed: converted again');
  assert.ok(imageLayer(handle('s')).alpha!.every((a) => a === 0));
  // posted to the display with its buffers transferred: the next call converts again
  const sent = imageLayer(handle('s'));
  structuredClone(sent, { transfer: [sent.y.buffer, sent.u.buffer, sent.v.buffer, sent.alpha!.buffer] });
  assert.equal(imageLayer(handle('s')).y.length, 256);
});

test('composeDisplay: an OSD layer over black or over video, clipped, blended by its alpha and its pixels\'', () => {
  py(`osd = image.Image(640, 480, image.ARGB8888)
osd.clear()
osd.draw_rectangle(100, 80, 80, 80, color=(255, 255, 255, 255), fill=True)
osd.draw_rectangle(300, 80, 80, 80, color=(128, 255, 255, 255), fill=True)`);
  const layer = imageLayer(handle('osd'));
  const W = 640;
  const H = 480;
  const shown = composeDisplay(W, H, undefined, [{ x: 0, y: 0, pixels: layer, alpha: 255 }]);
  assert.equal(shown.length, (W * H * 3) / 2);
  const Y = (buf: Uint8Array, x: number, y: number) => buf[y * W + x];
  const U = (buf: Uint8Array, x: number, y: number) => buf[W * H + (y >> 1) * (W / 2) + (x >> 1)];
  for (const [x, y] of [[100, 80], [179, 159], [140, 120]]) assert.equal(Y(shown, x, y), 235, `(${x}, ${y})`);
  for (const [x, y] of [[99, 80], [180, 80], [100, 160], [0, 0], [639, 479]]) assert.equal(Y(shown, x, y), 16, `(${x}, ${y})`);
  assert.equal(U(shown, 140, 120), 128);
  // per-pixel alpha 128, and layer alpha 128 on the opaque box: both about half way from 16 to 235
  assert.ok(Math.abs(Y(shown, 340, 120) - 126) <= 1, `pixel alpha: ${Y(shown, 340, 120)}`);
  const faded = composeDisplay(W, H, undefined, [{ x: 0, y: 0, pixels: layer, alpha: 128 }]);
  assert.ok(Math.abs(Y(faded, 140, 120) - 126) <= 1, `layer alpha: ${Y(faded, 140, 120)}`);
  assert.ok(Math.abs(Y(faded, 340, 120) - 71) <= 1, `both: ${Y(faded, 340, 120)}`);
  // over the camera's picture, at an offset, part of it off the display
  const video = cameraPicture(W, H, 3);
  const moved = composeDisplay(W, H, video, [{ x: 500, y: 350, pixels: layer, alpha: 255 }]);
  // the box at (100, 80) of the layer lands at (600, 430): its right part and bottom rows are off the display
  assert.equal(Y(moved, 600, 479), 235);
  assert.equal(Y(moved, 639, 430), 235);
  assert.equal(Y(moved, 10, 10), video.y[10 * W + 10]);
  assert.equal(Y(moved, 599, 479), video.y[479 * W + 599], 'transparent layer pixels leave the video');
  // an opaque RGB layer smaller than the display is copied in whole
  py(`box = image.Image(80, 80, image.RGB888)\nbox.draw_rectangle(0, 0, 80, 80, (255, 255, 255), fill=True)`);
  const boxed = composeDisplay(W, H, undefined, [{ x: 100, y: 80, pixels: imageLayer(handle('box')), alpha: 255 }]);
  assert.equal(Y(boxed, 100, 80), 235);
  assert.equal(Y(boxed, 179, 159), 235);
  assert.equal(Y(boxed, 180, 159), 16);
  assert.equal(Y(boxed, 99, 80), 16);
});

test('the camera: the same picture as I420 and in an Image of any format (sensor.snapshot), moving from frame to frame', () => {
  const W = 320;
  const H = 240;
  py(`cam = image.Image(${W}, ${H}, image.RGB888)._camera(7)`);
  const asImage = imageLayer(handle('cam'));
  const asVideo = cameraPicture(W, H, 7);
  assert.deepEqual(asImage.y, asVideo.y);
  assert.notDeepEqual(cameraPicture(W, H, 8).y, asVideo.y, 'it moves');
  for (const fmt of ['RGB565', 'GRAYSCALE', 'ARGB8888']) {
    py(`cam2 = image.Image(${W}, ${H}, image.${fmt})._camera(7)`);
    const y = imageLayer(handle('cam2')).y;
    assert.ok(y.some((v) => v !== y[0]), `${fmt}: a picture, not a fill`);
  }
});

test('images are freed once the VM lets them go; past the budget, idle ones are deflated, and held incompressible ones raise MemoryError', () => {
  mp.registerJsModule('_noise', { fill: (h: number) => randomFillSync(imageOf(h).data) });
  const inUse = () => Number(py(`import _image\nprint(_image.in_use())`));
  const before = inUse();
  // this VM collects between top-level runs only: the 40 dropped images go when the loop's run ends
  py(`for i in range(40):\n    image.Image(640, 480, image.ARGB8888)`);
  assert.ok(inUse() - before < 2 * 1228800, `in use: ${inUse() - before} more than before`);
  setImageBudget(before + 8 * 1024 * 1024);
  try {
    // within one run nothing is collected: the dropped images are deflated to make room, and a held one survives that
    py(`keep = image.Image(640, 480, image.RGB888)
keep.draw_rectangle(0, 0, 10, 10, (1, 2, 3), fill=True)
for i in range(60):
    image.Image(640, 480, image.ARGB8888).draw_rectangle(0, 0, 4, 4, fill=True)
print(_image.in_use())`);
    assert.ok(Number(out) - before <= 8 * 1024 * 1024, `in use: ${Number(out) - before}`);
    assert.deepEqual(pixel('keep', 9, 9), [1, 2, 3]);
    assert.deepEqual(pixel('keep', 10, 10), [0, 0, 0]);
    const got = raised(`import _noise\n    kept = []\n    for i in range(20):\n        kept.append(image.Image(640, 480, image.ARGB8888))\n        _noise.fill(kept[-1]._handle)`);
    assert.match(got, /^MemoryError: image mmz alloc failed/);
  } finally {
    setImageBudget(undefined);
  }
  py(`kept = None\nkeep = None\ngc.collect()`);
  const left = inUse() - before;
  assert.ok(left < 2 * 1228800, `all freed again: ${left} more than before`);
});

test('timings (printed, not asserted): composeDisplay and cameraPicture, median of 50', () => {
  const median = (f: () => void) => {
    const t: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      f();
      t.push(performance.now() - t0);
    }
    return t.sort((a, b) => a - b)[25].toFixed(2);
  };
  for (const [W, H] of [[640, 480], [1280, 720]]) {
    py(`sparse = image.Image(${W}, ${H}, image.ARGB8888)
sparse.clear()
sparse.draw_rectangle(100, 80, 80, 80, color=(255, 255, 255, 255), fill=True)
sparse.draw_string_advanced(10, 10, 32, "fps 30", color=(255, 0, 0))
full = image.Image(${W}, ${H}, image.RGB888)._camera(1)`);
    const sparseHandle = handle('sparse');
    const sparse = imageLayer(sparseHandle);
    const full = imageLayer(handle('full'));
    py(`half = image.Image(${W}, ${H}, image.ARGB8888)\nhalf.draw_rectangle(0, 0, ${W}, ${H}, color=(128, 255, 255, 255), fill=True)`);
    const half = imageLayer(handle('half'));
    const posted = Array.from({ length: 50 }, () => structuredClone(sparse));
    const video = cameraPicture(W, H, 1);
    let frame = 0;
    let copy = 0;
    console.log(
      `${W}x${H}: composeDisplay over video, one full-frame layer: mostly transparent ARGB ${median(() => composeDisplay(W, H, video, [{ x: 0, y: 0, pixels: sparse, alpha: 255 }]))} ms` +
        ` (a new copy of it each frame ${median(() => composeDisplay(W, H, video, [{ x: 0, y: 0, pixels: posted[copy++ % 50], alpha: 255 }]))} ms),` +
        ` opaque RGB888 ${median(() => composeDisplay(W, H, video, [{ x: 0, y: 0, pixels: full, alpha: 255 }]))} ms,` +
        ` every pixel half transparent ${median(() => composeDisplay(W, H, video, [{ x: 0, y: 0, pixels: half, alpha: 255 }]))} ms;` +
        ` cameraPicture ${median(() => cameraPicture(W, H, frame++))} ms;` +
        ` imageLayer of a changed ARGB8888 image ${median(() => {
          imageOf(sparseHandle).version++;
          imageLayer(sparseHandle);
        })} ms`,
    );
  }
});
