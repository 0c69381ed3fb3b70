// RGB to Y'CbCr as a K230 video output converts an OSD layer for the video layer it is blended
// onto: ITU-R BT.601, limited range (Y 16-235, Cb/Cr 16-240). Tables of 16.16 fixed point per
// channel, so that a pixel is three look-ups and two adds, no multiplies.
const ONE = 1 << 16;
const HALF = 1 << 15;

function table(coefficient: number): Int32Array {
  const t = new Int32Array(256);
  for (let v = 0; v < 256; v++) t[v] = Math.round(((coefficient * v) / 255) * ONE);
  return t;
}

export const Y_R = table(65.481);
export const Y_G = table(128.553);
export const Y_B = table(24.966);
export const U_R = table(-37.797);
export const U_G = table(-74.203);
export const U_B = table(112.0);
export const V_R = table(112.0);
export const V_G = table(-93.786);
export const V_B = table(-18.214);
/** what to add before the shift: the offset and the rounding */
export const Y_BIAS = 16 * ONE + HALF;
export const C_BIAS = 128 * ONE + HALF;

export function lumaOf(r: number, g: number, b: number): number {
  return (Y_R[r] + Y_G[g] + Y_B[b] + Y_BIAS) >> 16;
}

export function cbOf(r: number, g: number, b: number): number {
  return (U_R[r] + U_G[g] + U_B[b] + C_BIAS) >> 16;
}

export function crOf(r: number, g: number, b: number): number {
  return (V_R[r] + V_G[g] + V_B[b] + C_BIAS) >> 16;
}
