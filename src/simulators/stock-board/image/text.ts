// Strings onto an image: draw_string_advanced's layout (freetype_wrap.c: the pen starts at x, the
// baseline char_size below y, '\n' goes back to x one char_size lower, each glyph's advance in
// whole pixels, no kerning: FreeType's FT_Get_Kerning reads a 'kern' table, which neither the
// firmware's font nor DejaVu Sans has) and draw_string's 8x10 cells (draw.c: scale, spacing,
// mono_space, '\r', '\n' and "\r\n", characters outside ' '..'~' skipped).
//
// Ink: where a glyph covers a pixel whole, the pixel becomes the colour's bytes, as a drawn
// rectangle's would; at its anti-aliased edges the colour is mixed in by the coverage (ARGB images
// mix alpha-weighted, so text on a cleared, transparent OSD image gets soft edges, not dark ones).
// The firmware instead sets every pixel of any coverage to the colour: its text is bolder and jagged.
import { ARGB8888, BGRA8888, GRAYSCALE, pixelBytes, readPixel, writePixel } from './formats';
import { glyphOf, loadFont } from './font';
import type { StoredImage } from './storage';

const rgba = new Uint8Array(4);

/** Mixes the colour into the image where `g` covers it, its top-left at (x, y). */
function ink(img: StoredImage, x: number, y: number, g: { width: number; height: number; alpha: Uint8Array }, argb: number, px: Uint8Array): void {
  const { width, height, format, data, bpp } = img;
  const ca = (argb >>> 24) & 0xff;
  const cr = (argb >>> 16) & 0xff;
  const cg = (argb >>> 8) & 0xff;
  const cb = argb & 0xff;
  const withAlpha = format === ARGB8888 || format === BGRA8888;
  const gray = px[0];
  for (let row = Math.max(0, -y); row < g.height && y + row < height; row++) {
    for (let col = Math.max(0, -x); col < g.width && x + col < width; col++) {
      const cov = g.alpha[row * g.width + col];
      if (cov === 0) continue;
      const at = ((y + row) * width + x + col) * bpp;
      if (cov === 255) {
        data.set(px, at);
      } else if (format === GRAYSCALE) {
        data[at] = (data[at] * (255 - cov) + gray * cov + 127) / 255;
      } else {
        readPixel(format, data, at, rgba);
        if (withAlpha) {
          // mix premultiplied colours, so the transparent pixels' colour does not darken the edge
          const da = rgba[3] * (255 - cov);
          const sa = ca * cov;
          const a = da + sa; // alpha x 255
          if (a === 0) continue;
          writePixel(format, data, at, (rgba[0] * da + cr * sa) / a, (rgba[1] * da + cg * sa) / a, (rgba[2] * da + cb * sa) / a, (a + 127) / 255);
        } else {
          const keep = 255 - cov;
          writePixel(format, data, at, (rgba[0] * keep + cr * cov + 127) / 255, (rgba[1] * keep + cg * cov + 127) / 255, (rgba[2] * keep + cb * cov + 127) / 255, 255);
        }
      }
    }
  }
}

/** draw_string_advanced(x, y, char_size, text, color): undefined, or the error for the script. */
export function drawText(img: StoredImage, x: number, y: number, charSize: number, text: string, argb: number): string | undefined {
  const font = loadFont();
  if (typeof font === 'string') return font;
  if (charSize <= 0) return undefined;
  const px = pixelBytes(img.format, argb);
  let pen = x;
  let baseline = y + charSize;
  for (const ch of text) {
    if (ch === '\n') {
      pen = x;
      baseline += charSize;
      continue;
    }
    if (ch === '\0') continue;
    const g = glyphOf(font, ch, charSize);
    ink(img, pen + g.left, baseline + g.top, g, argb, px);
    pen += g.advance;
  }
  return undefined;
}

/**
 * draw_string(x, y, text, color, scale, x_spacing, y_spacing, mono_space): the firmware's 8x10
 * bitmap font, here DejaVu Sans the height of a cell, each glyph centred in its cell when mono-spaced.
 */
export function drawCells(img: StoredImage, x: number, y: number, text: string, argb: number, scale: number, xSpacing: number, ySpacing: number, mono: boolean): string | undefined {
  const font = loadFont();
  if (typeof font === 'string') return font;
  const cellW = Math.floor(8 * scale);
  const cellH = Math.floor(10 * scale);
  if (cellH <= 0) return undefined;
  const px = pixelBytes(img.format, argb);
  const ascent = Math.round(cellH * 0.8);
  let pen = x;
  let top = y;
  let last = '';
  for (const ch of text) {
    const prev = last;
    last = ch;
    if (prev === '\r' && ch === '\n') continue;
    if (ch === '\n' || ch === '\r') {
      pen = x;
      top += cellH + ySpacing;
      continue;
    }
    if (ch < ' ' || ch > '~') continue;
    const g = glyphOf(font, ch, cellH);
    const at = mono ? pen + Math.round((cellW - g.advance) / 2) : pen;
    ink(img, at + g.left, top + ascent + g.top, g, argb, px);
    pen += (mono ? cellW : g.advance) + xSpacing;
  }
  return undefined;
}
