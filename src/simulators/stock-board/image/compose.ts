// The display's write-back: the video layer (or black), then each OSD layer in order over it, at
// its position, clipped to the display, its own alpha (0-255) times each pixel's, as one I420
// picture. It runs once a display frame on the simulator's main thread, so it works a row at a
// time: an opaque layer's rows are copied with set(), a layer's transparent pixels are skipped
// four at a time (one 32-bit compare), and only the pixels in between are mixed. Chroma is
// blended a 2x2 block at a time with the block's mean alpha, at (x/2, y/2) (an odd x or y lands
// half a pixel early).
import type { LayerPixels } from './layer';

export interface VideoPicture {
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
}

export interface DisplayLayer {
  x: number;
  y: number;
  pixels: LayerPixels;
  /** the layer's alpha, 0 (not shown) to 255 */
  alpha: number;
}

/** (s * a + d * (255 - a)) / 255, rounded, for a in 0..255. */
function mix(d: number, s: number, a: number): number {
  const t = s * a + d * (255 - a) + 128;
  return (t + (t >> 8)) >> 8;
}

/**
 * Blends one plane of a layer (luma), or two of one size sharing an alpha (U and V), into the
 * display's planes of `outW` x `outH` that start at `atA` (and `atB`) in `out`, the layer's top-left
 * at (left, top). `alpha` is one byte a layer pixel, or undefined for an opaque layer.
 */
function blend(
  out: Uint8Array,
  outW: number,
  outH: number,
  srcA: Uint8Array,
  atA: number,
  srcB: Uint8Array | undefined,
  atB: number,
  srcW: number,
  srcH: number,
  left: number,
  top: number,
  layerAlpha: number,
  alpha: Uint8Array | undefined,
): void {
  const x0 = Math.max(0, left);
  const y0 = Math.max(0, top);
  const x1 = Math.min(outW, left + srcW);
  const y1 = Math.min(outH, top + srcH);
  if (x0 >= x1 || y0 >= y1) return;
  const len = x1 - x0;
  const words = alpha && alpha.byteOffset % 4 === 0 ? new Uint32Array(alpha.buffer, alpha.byteOffset, alpha.length >> 2) : undefined;
  for (let row = y0; row < y1; row++) {
    const s0 = (row - top) * srcW + (x0 - left);
    const d0 = row * outW + x0;
    if (!alpha) {
      if (layerAlpha === 255) {
        out.set(srcA.subarray(s0, s0 + len), atA + d0);
        if (srcB) out.set(srcB.subarray(s0, s0 + len), atB + d0);
      } else {
        for (let i = 0; i < len; i++) out[atA + d0 + i] = mix(out[atA + d0 + i], srcA[s0 + i], layerAlpha);
        if (srcB) for (let i = 0; i < len; i++) out[atB + d0 + i] = mix(out[atB + d0 + i], srcB[s0 + i], layerAlpha);
      }
      continue;
    }
    for (let i = 0; i < len; ) {
      const s = s0 + i;
      if (words && (s & 3) === 0 && i + 4 <= len && words[s >> 2] === 0) {
        i += 4; // four transparent pixels
        continue;
      }
      let a = alpha[s];
      i++;
      if (a === 0) continue;
      if (layerAlpha !== 255) a = mix(0, a, layerAlpha);
      const da = atA + d0 + i - 1;
      out[da] = a === 255 ? srcA[s] : mix(out[da], srcA[s], a);
      if (srcB) {
        const db = atB + d0 + i - 1;
        out[db] = a === 255 ? srcB[s] : mix(out[db], srcB[s], a);
      }
    }
  }
}

/** Each chroma sample's alpha: the mean of the four luma pixels it stands for. Kept per layer picture. */
const chromaAlphas = new WeakMap<LayerPixels, Uint8Array>();

function chromaAlpha(p: LayerPixels, alpha: Uint8Array): Uint8Array {
  let ca = chromaAlphas.get(p);
  if (ca) return ca;
  const cw = (p.width + 1) >> 1;
  const ch = (p.height + 1) >> 1;
  ca = new Uint8Array(cw * ch);
  for (let cy = 0; cy < ch; cy++) {
    const r0 = cy * 2 * p.width;
    const r1 = Math.min(cy * 2 + 1, p.height - 1) * p.width;
    for (let cx = 0; cx < cw; cx++) {
      const x0 = cx * 2;
      const x1 = Math.min(x0 + 1, p.width - 1);
      ca[cy * cw + cx] = (alpha[r0 + x0] + alpha[r0 + x1] + alpha[r1 + x0] + alpha[r1 + x1] + 2) >> 2;
    }
  }
  chromaAlphas.set(p, ca);
  return ca;
}

export function composeDisplay(width: number, height: number, video: VideoPicture | undefined, layers: DisplayLayer[]): Uint8Array {
  const lumaSize = width * height;
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const out = new Uint8Array(lumaSize + 2 * cw * ch);
  if (video) {
    out.set(video.y.subarray(0, lumaSize), 0);
    out.set(video.u.subarray(0, cw * ch), lumaSize);
    out.set(video.v.subarray(0, cw * ch), lumaSize + cw * ch);
  } else {
    out.fill(16, 0, lumaSize);
    out.fill(128, lumaSize);
  }
  for (const layer of layers) {
    const layerAlpha = Math.max(0, Math.min(255, Math.round(layer.alpha)));
    if (layerAlpha === 0) continue;
    const p = layer.pixels;
    blend(out, width, height, p.y, 0, undefined, 0, p.width, p.height, layer.x, layer.y, layerAlpha, p.alpha);
    const ca = p.alpha && chromaAlpha(p, p.alpha);
    const cLeft = Math.floor(layer.x / 2);
    const cTop = Math.floor(layer.y / 2);
    blend(out, cw, ch, p.u, lumaSize, p.v, lumaSize + cw * ch, (p.width + 1) >> 1, (p.height + 1) >> 1, cLeft, cTop, layerAlpha, ca);
  }
  return out;
}
