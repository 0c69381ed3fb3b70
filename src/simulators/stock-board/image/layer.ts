// An image as an OSD layer holds it for the display to blend: I420 (BT.601 limited range, as the
// K230's video output converts an RGB layer for the YUV video it is blended onto) and, for ARGB
// images with any pixel not opaque, one alpha byte a pixel. Converted once per change of the
// pixels: a script that shows the same image every frame costs one conversion.
import { Y_B, Y_BIAS, Y_G, Y_R, U_B, U_G, U_R, V_B, V_G, V_R, C_BIAS } from './bt601';
import { ARGB8888, BGRA8888, GRAYSCALE, RGB565, RGB888 } from './formats';
import { imageOf, type StoredImage } from './storage';

export interface LayerPixels {
  width: number;
  height: number;
  /** width x height */
  y: Uint8Array;
  /** ceil(width / 2) x ceil(height / 2) each: (width/2)*(height/2) for the even sizes a display has */
  u: Uint8Array;
  v: Uint8Array;
  /** one byte a luma pixel; undefined when every pixel is opaque */
  alpha?: Uint8Array;
}

/**
 * The image behind `handle` as a layer. The answer is kept until the image changes: read it, post
 * it, transfer its buffers (then the next call converts again), but do not change it.
 */
export function imageLayer(handle: number): LayerPixels {
  const img = imageOf(handle);
  if (img.layer && img.layer.version === img.version && intact(img.layer.pixels)) return img.layer.pixels;
  const pixels = toLayer(img);
  img.layer = { version: img.version, pixels };
  return pixels;
}

/** False once a buffer of it was transferred to another thread (a detached array is empty). */
function intact(p: LayerPixels): boolean {
  return p.y.length > 0 && p.u.length > 0 && p.v.length > 0 && (!p.alpha || p.alpha.length > 0);
}

/** R, G, B (and A) planes of the image, for the conversion below. */
function planes(img: StoredImage): { r: Uint8Array; g: Uint8Array; b: Uint8Array; a?: Uint8Array } {
  const n = img.width * img.height;
  const d = img.data;
  if (img.format === GRAYSCALE) return { r: d, g: d, b: d };
  const r = new Uint8Array(n);
  const g = new Uint8Array(n);
  const b = new Uint8Array(n);
  let a: Uint8Array | undefined;
  if (img.format === RGB888) {
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      r[i] = d[j];
      g[i] = d[j + 1];
      b[i] = d[j + 2];
    }
  } else if (img.format === RGB565) {
    for (let i = 0, j = 0; i < n; i++, j += 2) {
      const v = d[j] | (d[j + 1] << 8);
      // widened with their top bits repeated, so that 0xffff is white (255), not 248
      const r5 = v >> 11;
      const g6 = (v >> 5) & 0x3f;
      const b5 = v & 0x1f;
      r[i] = (r5 << 3) | (r5 >> 2);
      g[i] = (g6 << 2) | (g6 >> 4);
      b[i] = (b5 << 3) | (b5 >> 2);
    }
  } else {
    if (img.format !== ARGB8888 && img.format !== BGRA8888) throw new Error(`format 0x${img.format.toString(16)} is not simulated`);
    a = new Uint8Array(n);
    // byte offsets of A, R, G, B in a pixel
    const [oa, or, og, ob] = img.format === ARGB8888 ? [0, 1, 2, 3] : [3, 2, 1, 0];
    let all = 255;
    for (let i = 0, j = 0; i < n; i++, j += 4) {
      const k = d[j + oa];
      a[i] = k;
      all &= k;
      r[i] = d[j + or];
      g[i] = d[j + og];
      b[i] = d[j + ob];
    }
    const opaque = all === 255;
    if (opaque) a = undefined;
  }
  return { r, g, b, a };
}

function toLayer(img: StoredImage): LayerPixels {
  const { width, height } = img;
  const { r, g, b, a } = planes(img);
  // the tables as locals: an imported binding is a property read (a getter, once bundled) at every use
  const [yr, yg, yb, ur, ug, ub, vr, vg, vb] = [Y_R, Y_G, Y_B, U_R, U_G, U_B, V_R, V_G, V_B];
  const yBias = Y_BIAS;
  const cBias = C_BIAS;
  const y = new Uint8Array(width * height);
  if (img.format === GRAYSCALE) {
    // a grey level is its own R, G and B: one table does the row
    for (let i = 0; i < y.length; i++) y[i] = (yr[r[i]] + yg[r[i]] + yb[r[i]] + yBias) >> 16;
  } else {
    for (let i = 0; i < y.length; i++) y[i] = (yr[r[i]] + yg[g[i]] + yb[b[i]] + yBias) >> 16;
  }
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const u = new Uint8Array(cw * ch);
  const v = new Uint8Array(cw * ch);
  for (let cy = 0; cy < ch; cy++) {
    const y0 = cy * 2;
    const y1 = Math.min(y0 + 1, height - 1);
    for (let cx = 0; cx < cw; cx++) {
      const x0 = cx * 2;
      const x1 = Math.min(x0 + 1, width - 1);
      // the 2x2 block's colour, each pixel weighted by its alpha: a transparent neighbour lends no colour
      const i0 = y0 * width + x0;
      const i1 = y0 * width + x1;
      const i2 = y1 * width + x0;
      const i3 = y1 * width + x1;
      const k0 = a ? a[i0] : 255;
      const k1 = a ? a[i1] : 255;
      const k2 = a ? a[i2] : 255;
      const k3 = a ? a[i3] : 255;
      const w = k0 + k1 + k2 + k3;
      if (w === 0) {
        u[cy * cw + cx] = v[cy * cw + cx] = 128;
        continue;
      }
      const wr = r[i0] * k0 + r[i1] * k1 + r[i2] * k2 + r[i3] * k3;
      const wg = g[i0] * k0 + g[i1] * k1 + g[i2] * k2 + g[i3] * k3;
      const wb = b[i0] * k0 + b[i1] * k1 + b[i2] * k2 + b[i3] * k3;
      const half = w >> 1;
      const mr = ((wr + half) / w) | 0;
      const mg = ((wg + half) / w) | 0;
      const mb = ((wb + half) / w) | 0;
      u[cy * cw + cx] = (ur[mr] + ug[mg] + ub[mb] + cBias) >> 16;
      v[cy * cw + cx] = (vr[mr] + vg[mg] + vb[mb] + cBias) >> 16;
    }
  }
  return { width, height, y, u, v, alpha: a };
}
