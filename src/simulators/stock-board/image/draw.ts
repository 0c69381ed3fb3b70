// The firmware's drawing primitives (imlib draw.c) over an image's bytes: the same pixels set for
// the same arguments (Bresenham lines stamped with a disc for thickness, rectangle borders that
// grow thickness/2 outwards, the two-radius circle walk), every pixel written whole with the
// colour's bytes (no blending: the firmware's imlib_set_pixel replaces, alpha included). Spans are
// filled a row at a time: one byte with fill(), wider pixels by doubling copies of the colour.
import type { StoredImage } from './storage';

/** Fills the part of the rectangle [x0, x1) x [y0, y1) inside the image with one pixel's bytes. */
export function fillRect(img: StoredImage, x0: number, y0: number, x1: number, y1: number, px: Uint8Array): void {
  x0 = Math.max(x0, 0);
  y0 = Math.max(y0, 0);
  x1 = Math.min(x1, img.width);
  y1 = Math.min(y1, img.height);
  if (x0 >= x1 || y0 >= y1) return;
  const { data, bpp } = img;
  const stride = img.width * bpp;
  const first = y0 * stride + x0 * bpp;
  const len = (x1 - x0) * bpp;
  if (bpp === 1) {
    for (let y = y0, at = first; y < y1; y++, at += stride) data.fill(px[0], at, at + len);
    return;
  }
  data.set(px, first);
  for (let done = bpp; done < len; done *= 2) data.copyWithin(first + done, first, first + Math.min(done, len - done));
  for (let y = y0 + 1, at = first + stride; y < y1; y++, at += stride) data.copyWithin(at, first, first + len);
}

export function setPixel(img: StoredImage, x: number, y: number, px: Uint8Array): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  img.data.set(px, (y * img.width + x) * img.bpp);
}

/** draw.c's point_fill: the points (dx, dy) of [r0, r1]^2 with dx^2 + dy^2 <= r0^2. */
function stamp(img: StoredImage, cx: number, cy: number, r0: number, r1: number, px: Uint8Array): void {
  for (let dy = r0; dy <= r1; dy++) {
    for (let dx = r0; dx <= r1; dx++) if (dx * dx + dy * dy <= r0 * r0) setPixel(img, cx + dx, cy + dy, px);
  }
}

export function drawLine(img: StoredImage, x0: number, y0: number, x1: number, y1: number, px: Uint8Array, thickness: number): void {
  if (thickness <= 0) return;
  const t0 = Math.trunc(thickness / 2);
  const t1 = Math.trunc((thickness - 1) / 2);
  const dx = Math.abs(x1 - x0);
  const sx = x0 < x1 ? 1 : -1;
  const dy = Math.abs(y1 - y0);
  const sy = y0 < y1 ? 1 : -1;
  let err = Math.trunc((dx > dy ? dx : -dy) / 2);
  for (;;) {
    stamp(img, x0, y0, -t0, t1, px);
    if (x0 === x1 && y0 === y1) break;
    const e2 = err;
    if (e2 > -dx) {
      err -= dy;
      x0 += sx;
    }
    if (e2 < dy) {
      err += dx;
      y0 += sy;
    }
  }
}

export function drawRectangle(img: StoredImage, x: number, y: number, w: number, h: number, px: Uint8Array, thickness: number, fill: boolean): void {
  if (fill) {
    fillRect(img, x, y, x + w, y + h, px);
    return;
  }
  if (thickness <= 0) return;
  const t0 = Math.trunc(thickness / 2);
  const t1 = Math.trunc((thickness - 1) / 2);
  const bottom = y + h - 1;
  const right = x + w - 1;
  // draw.c's four loops of xLine/yLine, as the bands they cover
  fillRect(img, x - t0, y - t0, x + w + t1, y + t1 + 1, px);
  fillRect(img, x - t0, bottom - t0, x + w + t1, bottom + t1 + 1, px);
  fillRect(img, x - t0, y - t0, x + t1 + 1, y + h + t1, px);
  fillRect(img, right - t0, y - t0, right + t1 + 1, y + h + t1, px);
}

export function drawCircle(img: StoredImage, cx: number, cy: number, r: number, px: Uint8Array, thickness: number, fill: boolean): void {
  if (fill) {
    // point_fill(-r, r): every point with dx^2 + dy^2 <= r^2, a row at a time
    for (let dy = -r; dy <= r; dy++) {
      let half = Math.floor(Math.sqrt(r * r - dy * dy));
      while ((half + 1) * (half + 1) + dy * dy <= r * r) half++;
      while (half >= 0 && half * half + dy * dy > r * r) half--;
      if (half >= 0) fillRect(img, cx - half, cy + dy, cx + half + 1, cy + dy + 1, px);
    }
    return;
  }
  if (thickness <= 0) return;
  const t0 = Math.trunc(thickness / 2);
  const t1 = Math.trunc((thickness - 1) / 2);
  let xo = r + t0;
  let xi = Math.max(r - t1, 0);
  const xiStart = xi;
  let y = 0;
  let erro = 1 - xo;
  let erri = 1 - xi;
  const xLine = (a: number, b: number, row: number) => fillRect(img, a, row, b + 1, row + 1, px);
  const yLine = (col: number, a: number, b: number) => fillRect(img, col, a, col + 1, b + 1, px);
  while (xo >= y) {
    xLine(cx + xi, cx + xo, cy + y);
    yLine(cx + y, cy + xi, cy + xo);
    xLine(cx - xo, cx - xi, cy + y);
    yLine(cx - y, cy + xi, cy + xo);
    xLine(cx - xo, cx - xi, cy - y);
    yLine(cx - y, cy - xo, cy - xi);
    xLine(cx + xi, cx + xo, cy - y);
    yLine(cx + y, cy - xo, cy - xi);
    y++;
    if (erro < 0) {
      erro += 2 * y + 1;
    } else {
      xo--;
      erro += 2 * (y - xo + 1);
    }
    if (y > xiStart) {
      xi = y;
    } else if (erri < 0) {
      erri += 2 * y + 1;
    } else {
      xi--;
      erri += 2 * (y - xi + 1);
    }
  }
}

/** py_image_draw_cross: two lines of `size` either side of the centre. */
export function drawCross(img: StoredImage, x: number, y: number, px: Uint8Array, size: number, thickness: number): void {
  drawLine(img, x - size, y, x + size, y, px, thickness);
  drawLine(img, x, y - size, x, y + size, px, thickness);
}
