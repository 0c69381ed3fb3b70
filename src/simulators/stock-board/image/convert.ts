// An image's pixels in another format (to_grayscale, to_rgb565, to_rgb888: always a new image, as
// on the K230 port), and its bytes to and from the VM as hex text: the VM's bytes.fromhex and
// bytes.hex are native, so a 640x480 RGB888 copy crosses in about 20 ms, where a JavaScript
// typed array read element by element from Python takes seconds.
import { GRAYSCALE, RGB888, firmwareLuma, readPixel, writePixel } from './formats';
import type { StoredImage } from './storage';

const rgba = new Uint8Array(4);

/** Writes `src`'s pixels into `dst` (same size) in `dst`'s format. */
export function convertInto(src: StoredImage, dst: StoredImage): void {
  const n = src.width * src.height;
  // py_image_to makes RGB888 through RGB565, both ways: an RGB888 result keeps 5-6-5 bits of colour
  const via565 = dst.format === RGB888;
  for (let i = 0, s = 0, d = 0; i < n; i++, s += src.bpp, d += dst.bpp) {
    readPixel(src.format, src.data, s, rgba);
    if (via565) {
      rgba[0] &= 0xf8;
      rgba[1] &= 0xfc;
      rgba[2] &= 0xf8;
    }
    if (dst.format === GRAYSCALE && src.format === GRAYSCALE) dst.data[d] = src.data[s];
    else if (dst.format === GRAYSCALE) dst.data[d] = firmwareLuma(rgba[0], rgba[1], rgba[2]);
    else writePixel(dst.format, dst.data, d, rgba[0], rgba[1], rgba[2], rgba[3]);
  }
}


export function toHex(img: StoredImage): string {
  return Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length).toString('hex');
}

/** Copies hex text's bytes into the image: false when they are not exactly its size. */
export function fromHex(img: StoredImage, hex: string): boolean {
  const bytes = Buffer.from(hex, 'hex');
  if (bytes.length !== img.data.length) return false;
  img.data.set(bytes);
  return true;
}
