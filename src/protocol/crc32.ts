// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), slice-by-4, as the agent computes it.

const TABLES: Uint32Array[] = (() => {
  const t = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[0][i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    for (let s = 1; s < 4; s++) {
      const prev = t[s - 1][i];
      t[s][i] = ((prev >>> 8) ^ t[0][prev & 0xff]) >>> 0;
    }
  }
  return t;
})();

/** Continues a CRC over bytes[start, end); start a new one with crc = 0. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  const [t0, t1, t2, t3] = TABLES;
  let c = ~crc >>> 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    c = t3[c & 0xff] ^ t2[(c >>> 8) & 0xff] ^ t1[(c >>> 16) & 0xff] ^ t0[c >>> 24];
  }
  for (; i < end; i++) c = (c >>> 8) ^ t0[(c ^ bytes[i]) & 0xff];
  return ~c >>> 0;
}
