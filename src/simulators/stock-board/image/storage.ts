// The pixels of every image.Image a script holds, by handle: the script's Image object keeps only
// the handle (and a token, below); the pixels stay on the JavaScript side, where drawing, the
// display and the camera reach them without copying through the VM.
//
// Freeing. The firmware frees an image's MMZ when the VM's garbage collector finalises it. This
// VM calls no __del__ of a Python class, but it does release the JavaScript objects a collected
// Python object held: each Image holds a token from token(), and an image whose token the VM has
// let go of is freed at the next sweep. This VM collects only between top-level runs, though
// (not while a script runs: its stack cannot be scanned), so a script's loop that makes an image
// a frame piles them up until it ends. Hence a budget (BUDGET_BYTES) on what images hold: past
// it, create() sweeps, then deflates the least recently used images (losslessly: one used again
// is inflated back, so a script never sees it; dropped ones, a cleared OSD or a camera frame,
// shrink a hundredfold and are never touched again); still no room, it answers 0, image.py runs
// gc.collect() and asks again (as py_image_alloc retries after gc_collect()), and a second 0 is
// the firmware's MemoryError.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { bytesPerPixel } from './formats';
import type { LayerPixels } from './layer';

export interface StoredImage {
  readonly handle: number;
  readonly format: number;
  readonly width: number;
  readonly height: number;
  readonly bpp: number;
  /** the pixels (empty while packed: imageOf inflates them first) */
  data: Uint8Array;
  packed?: Buffer;
  /** bumped by every change of the pixels: imageLayer converts again only when it moved */
  version: number;
  layer?: { version: number; pixels: LayerPixels };
  token?: object;
  /** the VM's table of the JavaScript objects Python holds, as it was when the token went out */
  heldBy?: Map<object, number>;
}

/** What all images may hold at once: room for ~30 full-HD ARGB8888 frames. */
export const BUDGET_BYTES = 256 * 1024 * 1024;
let budget = BUDGET_BYTES;

/** Sets the budget (tests make it small to reach it); undefined restores BUDGET_BYTES. */
export function setImageBudget(bytes: number | undefined): void {
  budget = bytes ?? BUDGET_BYTES;
}

/** by handle, least recently used first */
const images = new Map<number, StoredImage>();
let nextHandle = 1; // never reused: a stale handle finds nothing rather than someone else's pixels
let bytesInUse = 0;

/** A new image of zeros, or undefined when the budget has no room for it even after a sweep. */
export function createImage(width: number, height: number, format: number): StoredImage | undefined {
  const bpp = bytesPerPixel(format);
  if (!bpp || !(width > 0) || !(height > 0)) throw new Error(`no image of ${width}x${height}, format 0x${format.toString(16)}`);
  const size = width * height * bpp;
  if (bytesInUse + size > budget) makeRoom(size);
  if (bytesInUse + size > budget) return undefined;
  const img: StoredImage = { handle: nextHandle++, format, width, height, bpp, data: new Uint8Array(size), version: 0 };
  images.set(img.handle, img);
  bytesInUse += size;
  return img;
}

/** The image behind a handle; an Error when it was freed (a script that called __del__ and drew on). */
export function imageOf(handle: number): StoredImage {
  const img = images.get(handle);
  if (!img) throw new Error(`image ${handle} was freed`);
  images.delete(handle);
  images.set(handle, img); // now the most recently used
  if (img.packed) {
    const raw = inflateRawSync(img.packed);
    bytesInUse += raw.length - img.packed.length;
    img.data = new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
    img.packed = undefined;
  }
  return img;
}

export function freeImage(handle: number): void {
  const img = images.get(handle);
  if (!img) return;
  images.delete(handle);
  bytesInUse -= img.packed ? img.packed.length : img.data.length;
}

/** The object whose holding by the VM keeps the image: image.py keeps it on the Image. */
export function tokenFor(handle: number): object {
  const img = imageOf(handle);
  img.token = { handle };
  // The loader of @micropython/micropython-webassembly-pyscript keeps, as globalThis.proxy_js_ref_map,
  // every JavaScript object a Python object holds, and deletes an entry when the VM collects its holder.
  const held = (globalThis as { proxy_js_ref_map?: unknown }).proxy_js_ref_map;
  if (held instanceof Map) img.heldBy = held;
  return img.token;
}

/** Frees every image whose token the VM no longer holds. */
export function sweep(): void {
  for (const img of images.values()) {
    if (img.token && img.heldBy && !img.heldBy.has(img.token)) freeImage(img.handle);
  }
}

/** Sweeps, then deflates the least recently used images until `size` more fits in 3/4 of the budget. */
function makeRoom(size: number): void {
  sweep();
  for (const img of images.values()) {
    if (bytesInUse + size <= (budget * 3) / 4) return;
    if (img.packed) continue;
    img.packed = deflateRawSync(img.data, { level: 1 });
    bytesInUse -= img.data.length - img.packed.length;
    img.data = new Uint8Array(0);
    img.layer = undefined; // the display's copy goes too: it is made again if the image is shown again
  }
}

/** The bytes of pixels of the images still held, after a sweep (packed ones as packed). */
export function imageBytesInUse(): number {
  sweep();
  return bytesInUse;
}
