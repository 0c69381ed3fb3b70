// What RTSP/1.0 text is made of (RFC 2326 §15.1, after RFC 2616 §2.2), for the reader, the response
// writer and the Transport parser alike.

export const LF = 0x0a;
export const CR = 0x0d;
export const SP = 0x20;
export const HT = 0x09;
export const DOLLAR = 0x24;
export const COLON = 0x3a;

/** '$' + channel + 16-bit length (RFC 2326 §10.12) */
export const INTERLEAVED_HEADER_SIZE = 4;
export const MAX_INTERLEAVED_DATA = 0xffff;

// token = 1*<any CHAR except CTLs or tspecials> (RFC 2326 §15.1, as RFC 2616 §2.2)
const TSPECIALS = '()<>@,;:\\"/[]?={} \t';
const TOKEN_BYTE = Array.from({ length: 128 }, (_, c) => c > 0x20 && c < 0x7f && !TSPECIALS.includes(String.fromCharCode(c)));

export function isTokenByte(c: number): boolean {
  return c < 0x80 && TOKEN_BYTE[c];
}

export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) if (!isTokenByte(text.charCodeAt(i))) return false;
  return true;
}

/** A control character other than HT: never part of a header (RFC 2616 §2.2 TEXT); a CR here is one without its LF. */
export function isControlByte(c: number): boolean {
  return (c < 0x20 && c !== HT) || c === 0x7f;
}

/** An offending value, shortened for a log line. */
export function quoted(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

// RTSP is UTF-8 (RFC 2326 §4): a header that is not is malformed. ignoreBOM keeps a leading U+FEFF as sent.
export const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// For bytes already checked to be ASCII (the request line, header names).
export const latin1 = new TextDecoder('latin1');
