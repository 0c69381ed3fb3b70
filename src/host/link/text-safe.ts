/** A frame as one text-safe line, as a stock board's MicroPython agent takes it: base64, then LF
 * (docs/protocol.md, "The text-safe link"). Nothing sent so can hold the firmware's IDE-mode trap. */
export function textSafeFrame(frame: Uint8Array): Buffer {
  return Buffer.from(`${Buffer.from(frame).toString('base64')}\n`, 'latin1');
}
