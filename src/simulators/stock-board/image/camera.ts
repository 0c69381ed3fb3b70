// The simulated camera's picture: eight horizontal colour bands scrolling down 2 pixels a frame
// and a square crossing from left to right 4 pixels a frame. Only whole-row and whole-span fills,
// no per-pixel arithmetic, so a 1280x720 frame costs well under a millisecond. The same picture
// comes as I420 (for the video layer and the encoder) or drawn into an Image of any simulated
// format (for sensor.snapshot()).
import { cbOf, crOf, lumaOf } from './bt601';
import { fillRect } from './draw';
import { pixelBytes } from './formats';
import type { StoredImage } from './storage';

/** the bands' colours, 0xRRGGBB: muted, so that an OSD's white and red stand out on them */
const BANDS = [0x5a6e8c, 0x3c7864, 0x8c6446, 0x50506e, 0x6e8c5a, 0x784650, 0x46828c, 0x645a3c];
const BOX = 0xf0c828;
const BAND_STEP = 2;
const BOX_STEP = 4;

interface Run {
  /** first row, and the row after the last */
  from: number;
  to: number;
  rgb: number;
}

/** The bands of a picture `height` rows high at `frame`, top to bottom. */
function bandRuns(height: number, frame: number): Run[] {
  const bandH = Math.max(1, Math.round(height / BANDS.length));
  const cycle = bandH * BANDS.length;
  const offset = (((frame * BAND_STEP) % cycle) + cycle) % cycle;
  const runs: Run[] = [];
  for (let row = 0; row < height; ) {
    const band = Math.floor((row + cycle - offset) / bandH) % BANDS.length;
    const to = Math.min(height, row + bandH - ((row + cycle - offset) % bandH));
    runs.push({ from: row, to, rgb: BANDS[band] });
    row = to;
  }
  return runs;
}

/** The square: its left, top and side (even, so that its chroma lines up). */
function boxAt(width: number, height: number, frame: number): { x: number; y: number; side: number } {
  const side = Math.max(8, Math.round(height / 8) * 2);
  const travel = width + side;
  const x = ((((frame * BOX_STEP) % travel) + travel) % travel) - side;
  return { x: x & ~1, y: ((height - side) >> 1) & ~1, side };
}

const yuv = (rgb: number) => {
  const r = (rgb >> 16) & 0xff;
  const g = (rgb >> 8) & 0xff;
  const b = rgb & 0xff;
  return [lumaOf(r, g, b), cbOf(r, g, b), crOf(r, g, b)];
};
const BAND_YUV = BANDS.map(yuv);
const BOX_YUV = yuv(BOX);

/** The camera's picture at `frameNumber` as I420 planes (width x height, then two quarter planes). */
export function cameraPicture(width: number, height: number, frameNumber: number): { y: Uint8Array; u: Uint8Array; v: Uint8Array } {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const y = new Uint8Array(width * height);
  const u = new Uint8Array(cw * ch);
  const v = new Uint8Array(cw * ch);
  for (const run of bandRuns(height, frameNumber)) {
    const [Y, U, V] = BAND_YUV[BANDS.indexOf(run.rgb)];
    y.fill(Y, run.from * width, run.to * width);
    // a chroma row takes the colour of the first of its two luma rows
    const c0 = (run.from + 1) >> 1;
    const c1 = (run.to + 1) >> 1;
    u.fill(U, c0 * cw, c1 * cw);
    v.fill(V, c0 * cw, c1 * cw);
  }
  const box = boxAt(width, height, frameNumber);
  const x0 = Math.max(0, box.x);
  const x1 = Math.min(width, box.x + box.side);
  if (x0 < x1) {
    const [Y, U, V] = BOX_YUV;
    for (let row = box.y; row < box.y + box.side && row < height; row++) y.fill(Y, row * width + x0, row * width + x1);
    for (let row = box.y >> 1; row < (box.y + box.side) >> 1 && row < ch; row++) {
      u.fill(U, row * cw + (x0 >> 1), row * cw + ((x1 + 1) >> 1));
      v.fill(V, row * cw + (x0 >> 1), row * cw + ((x1 + 1) >> 1));
    }
  }
  return { y, u, v };
}

/** The same picture drawn over the whole of an image, in its own format. */
export function fillCamera(img: StoredImage, frameNumber: number): void {
  for (const run of bandRuns(img.height, frameNumber)) fillRect(img, 0, run.from, img.width, run.to, pixelBytes(img.format, 0xff000000 | run.rgb));
  const box = boxAt(img.width, img.height, frameNumber);
  fillRect(img, box.x, box.y, box.x + box.side, box.y + box.side, pixelBytes(img.format, 0xff000000 | BOX));
}
