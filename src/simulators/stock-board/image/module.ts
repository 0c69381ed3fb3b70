// `_image`: the JavaScript module behind device-agent/stock-sim/firmware/image.py, registered in
// the VM with mp.registerJsModule('_image', imageModule()). Every function takes plain numbers and
// strings (image.py unpacks colours into one 32-bit 0xAARRGGBB int, passed signed) and answers a
// number, a string or nothing, so no Python object is proxied on the way. Errors a script should
// see come back as strings for image.py to raise; anything else thrown is a bug.
import { fillCamera } from './camera';
import { convertInto, fromHex, toHex } from './convert';
import { drawCircle, drawCross, drawLine, drawRectangle } from './draw';
import { bytesPerPixel, pixelBytes } from './formats';
import { createImage, freeImage, imageBytesInUse, imageOf, tokenFor, type StoredImage } from './storage';
import { drawCells, drawText } from './text';

/** The pixels changed: the display's converted layer is out of date. */
function changed(img: StoredImage): void {
  img.version++;
}

function drawing(handle: number, argb: number, draw: (img: StoredImage, px: Uint8Array) => void): void {
  const img = imageOf(handle);
  draw(img, pixelBytes(img.format, argb >>> 0));
  changed(img);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the VM calls these with whatever a script passed
export function imageModule(): Record<string, (...args: any[]) => unknown> {
  return {
    /** a new image of zeros: its handle; 0 when the budget is used up (image.py collects and asks again); -1 for a format not simulated */
    create(width: number, height: number, format: number): number {
      if (!bytesPerPixel(format)) return -1;
      return createImage(width, height, format)?.handle ?? 0;
    },
    /** the object an Image keeps: when the VM collects the Image, it lets this go and the pixels are freed */
    token: (handle: number) => tokenFor(handle),
    free: (handle: number) => freeImage(handle),
    /** bytes held by all images now */
    in_use: () => imageBytesInUse(),
    clear(handle: number): void {
      const img = imageOf(handle);
      img.data.fill(0);
      changed(img);
    },
    rect: (h: number, x: number, y: number, w: number, hh: number, argb: number, thickness: number, fill: boolean) =>
      drawing(h, argb, (img, px) => drawRectangle(img, x, y, w, hh, px, thickness, !!fill)),
    line: (h: number, x0: number, y0: number, x1: number, y1: number, argb: number, thickness: number) =>
      drawing(h, argb, (img, px) => drawLine(img, x0, y0, x1, y1, px, thickness)),
    circle: (h: number, cx: number, cy: number, r: number, argb: number, thickness: number, fill: boolean) =>
      drawing(h, argb, (img, px) => drawCircle(img, cx, cy, r, px, thickness, !!fill)),
    cross: (h: number, x: number, y: number, argb: number, size: number, thickness: number) =>
      drawing(h, argb, (img, px) => drawCross(img, x, y, px, size, thickness)),
    /** draw_string_advanced: "", or the error's text (no font) */
    text(h: number, x: number, y: number, charSize: number, text: string, argb: number): string {
      const img = imageOf(h);
      const error = drawText(img, x, y, charSize, String(text), argb >>> 0);
      changed(img);
      return error ?? '';
    },
    /** draw_string: "", or the error's text (no font) */
    cells(h: number, x: number, y: number, text: string, argb: number, scale: number, xSpacing: number, ySpacing: number, mono: boolean): string {
      const img = imageOf(h);
      const error = drawCells(img, x, y, String(text), argb >>> 0, scale, xSpacing, ySpacing, !!mono);
      changed(img);
      return error ?? '';
    },
    /** the pixels, as hex text */
    read: (h: number) => toHex(imageOf(h)),
    /** sets the pixels from hex text of exactly the image's size: 0, or -1 when the size differs */
    write(h: number, hex: string): number {
      const img = imageOf(h);
      if (!fromHex(img, String(hex))) return -1;
      changed(img);
      return 0;
    },
    /** `src`'s pixels into `dst` (same width and height) in `dst`'s format */
    convert(src: number, dst: number): void {
      const to = imageOf(dst);
      convertInto(imageOf(src), to);
      changed(to);
    },
    /** copy_to: the bytes of `src` into `dst` (image.py checks that their sizes match) */
    copy(src: number, dst: number): void {
      const to = imageOf(dst);
      to.data.set(imageOf(src).data.subarray(0, to.data.length));
      changed(to);
    },
    /** the simulated camera's picture at `frameNumber`, over the whole image */
    camera(h: number, frameNumber: number): void {
      const img = imageOf(h);
      fillCamera(img, frameNumber);
      changed(img);
    },
  };
}
