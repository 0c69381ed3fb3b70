// The pixel formats the simulated `image` module draws in, with the numbers the firmware gives
// image.GRAYSCALE etc. (imlib.h's pixformat_t: flags | id << 16 | sub-format << 8 | bytes a pixel),
// and how a firmware colour value becomes one pixel's bytes (py_helper_keyword_color).
export const GRAYSCALE = 0x08020001;
export const RGB565 = 0x0c030002;
export const RGB888 = 0x0c090003;
export const ARGB8888 = 0x0c080004;
/** only in newer firmware (canmv_k230's py_image.c has it, canmv-k230/canmv v1.1 does not) */
export const BGRA8888 = 0x0c080304;

/** Bytes a pixel of a format the simulator draws in; 0 for any other format. */
export function bytesPerPixel(format: number): number {
  switch (format) {
    case GRAYSCALE:
      return 1;
    case RGB565:
      return 2;
    case RGB888:
      return 3;
    case ARGB8888:
    case BGRA8888:
      return 4;
    default:
      return 0;
  }
}

/** The firmware's luma of an RGB888 colour: COLOR_RGB888_TO_Y, (38R + 75G + 15B) >> 7. */
export function firmwareLuma(r: number, g: number, b: number): number {
  return (r * 38 + g * 75 + b * 15) >> 7;
}

/**
 * One pixel's bytes for a colour as py_helper_keyword_color leaves it: `argb` is the 32-bit value
 * 0xAARRGGBB (an int as given, or a tuple packed byte by byte onto -1, so (r, g, b) is opaque).
 * GRAYSCALE takes the firmware's luma, RGB565 drops the low bits (stored little-endian, as the
 * K230's display reads PIXEL_FORMAT_RGB_565_LE), RGB888 is R, G, B, ARGB8888 is A, R, G, B in
 * memory (the value byte-swapped, stored little-endian), BGRA8888 is B, G, R, A.
 */
export function pixelBytes(format: number, argb: number): Uint8Array {
  const a = (argb >>> 24) & 0xff;
  const r = (argb >>> 16) & 0xff;
  const g = (argb >>> 8) & 0xff;
  const b = argb & 0xff;
  switch (format) {
    case GRAYSCALE:
      return Uint8Array.of(firmwareLuma(r, g, b));
    case RGB565: {
      const v = ((r & 0xf8) << 8) | ((g & 0xfc) << 3) | (b >> 3);
      return Uint8Array.of(v & 0xff, v >> 8);
    }
    case RGB888:
      return Uint8Array.of(r, g, b);
    case ARGB8888:
      return Uint8Array.of(a, r, g, b);
    case BGRA8888:
      return Uint8Array.of(b, g, r, a);
    default:
      throw new Error(`pixel format 0x${format.toString(16)} is not simulated`);
  }
}

/** The R, G, B and alpha of the pixel at byte offset `i` (RGB565 widened by zero low bits, as the firmware's to_rgb888 does). */
export function readPixel(format: number, data: Uint8Array, i: number, out: Uint8Array): void {
  switch (format) {
    case GRAYSCALE:
      out[0] = out[1] = out[2] = data[i];
      out[3] = 255;
      break;
    case RGB565: {
      const v = data[i] | (data[i + 1] << 8);
      out[0] = (v >> 8) & 0xf8;
      out[1] = (v >> 3) & 0xfc;
      out[2] = (v << 3) & 0xf8;
      out[3] = 255;
      break;
    }
    case RGB888:
      out[0] = data[i];
      out[1] = data[i + 1];
      out[2] = data[i + 2];
      out[3] = 255;
      break;
    case ARGB8888:
      out[3] = data[i];
      out[0] = data[i + 1];
      out[1] = data[i + 2];
      out[2] = data[i + 3];
      break;
    case BGRA8888:
      out[2] = data[i];
      out[1] = data[i + 1];
      out[0] = data[i + 2];
      out[3] = data[i + 3];
      break;
  }
}

/** Writes R, G, B and alpha as one pixel of `format` at byte offset `i` (alpha only where the format has it). */
export function writePixel(format: number, data: Uint8Array, i: number, r: number, g: number, b: number, a: number): void {
  switch (format) {
    case GRAYSCALE:
      data[i] = firmwareLuma(r, g, b);
      break;
    case RGB565: {
      const v = ((r & 0xf8) << 8) | ((g & 0xfc) << 3) | (b >> 3);
      data[i] = v & 0xff;
      data[i + 1] = v >> 8;
      break;
    }
    case RGB888:
      data[i] = r;
      data[i + 1] = g;
      data[i + 2] = b;
      break;
    case ARGB8888:
      data[i] = a;
      data[i + 1] = r;
      data[i + 2] = g;
      data[i + 3] = b;
      break;
    case BGRA8888:
      data[i] = b;
      data[i + 1] = g;
      data[i + 2] = r;
      data[i + 3] = a;
      break;
  }
}
