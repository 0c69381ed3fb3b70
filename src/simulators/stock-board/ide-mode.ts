// The CanMV firmware's IDE-mode trap (canmv_k230 v1.7 port/omv/ide_dbg.c, docs/stock-firmware.md):
// the USB port switches to the IDE protocol, soft-resetting the running script, when it reads
// 0x30, one of the protocol's opcodes, and a u32 little-endian length of at most 8 MiB. Nothing a
// host sends to a stock board may hold such a sequence.

const IDE_OPCODES = new Set([
  0x00, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x11, 0x12, 0x20, 0x21, 0x80, 0x81, 0x82, 0x83, 0x87,
  0x8a, 0x8d, 0x8e, 0x8f, 0x90, 0xa0, 0xa1,
  ...Array.from({ length: 0xb0 - 0xa2 + 1 }, (_, i) => 0xa2 + i),
]);
export const IDE_HEADER_SIZE = 6;
const IDE_LENGTH_MAX = 8 * 1024 * 1024;

/** Whether the 6 bytes at `at` are an IDE-mode header. */
export function isIdeHeader(b: Uint8Array, at: number): boolean {
  if (at + IDE_HEADER_SIZE > b.length || b[at] !== 0x30 || !IDE_OPCODES.has(b[at + 1])) return false;
  const length = (b[at + 2] | (b[at + 3] << 8) | (b[at + 4] << 16) | (b[at + 5] << 24)) >>> 0;
  return length <= IDE_LENGTH_MAX;
}

/** The offset of the first IDE-mode header in the bytes, or -1. */
export function findIdeHeader(b: Uint8Array): number {
  for (let at = b.indexOf(0x30); at >= 0; at = b.indexOf(0x30, at + 1)) if (isIdeHeader(b, at)) return at;
  return -1;
}

/** Whether `b` could still grow into an IDE-mode header (a 0x30 and what may follow it). */
export function couldStartIdeHeader(b: Uint8Array): boolean {
  if (b.length === 0 || b[0] !== 0x30) return false;
  if (b.length >= 2 && !IDE_OPCODES.has(b[1])) return false;
  return b.length < IDE_HEADER_SIZE || isIdeHeader(b, 0);
}
