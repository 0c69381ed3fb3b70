// What the RTSP server sends: responses (RFC 2326 §7) and interleaved RTP/RTCP frames (§10.12), each
// refused rather than written when it would not be valid.
import { DOLLAR, INTERLEAVED_HEADER_SIZE, isControlByte, isToken, MAX_INTERLEAVED_DATA, quoted } from './rtsp-grammar';

const utf8Encoder = new TextEncoder();

function checkHeaderText(what: string, text: string): void {
  // A CR or LF here would end the header early and let the rest be read as another (response splitting).
  for (let i = 0; i < text.length; i++) {
    if (isControlByte(text.charCodeAt(i))) throw new RangeError(`${what} ${quoted(text)} has a control character`);
  }
}

/**
 * A response: status line, the headers in the order given (the caller echoes CSeq among them), Content-Length
 * when there is a body, the empty line, the body (RFC 2326 §7). The body is text: SDP, or a parameter list.
 */
export function rtspResponse(status: number, reason: string, headers: Record<string, string | number>, body?: string): Uint8Array {
  if (!Number.isInteger(status) || status < 100 || status > 999) throw new RangeError(`status ${status} is not three digits`);
  checkHeaderText('reason', reason);
  const lines = [`RTSP/1.0 ${status} ${reason}`];
  for (const [name, value] of Object.entries(headers)) {
    if (!isToken(name)) throw new RangeError(`header name ${quoted(name)} is not a token`);
    if (name.toLowerCase() === 'content-length') throw new RangeError('Content-Length is written from the body');
    if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`header ${name} is ${value}`);
    const text = String(value);
    checkHeaderText(`header ${name}`, text);
    lines.push(`${name}: ${text}`);
  }
  const content = body === undefined ? undefined : utf8Encoder.encode(body);
  if (content) lines.push(`Content-Length: ${content.length}`);
  const head = utf8Encoder.encode(`${lines.join('\r\n')}\r\n\r\n`);
  if (!content) return head;
  const out = new Uint8Array(head.length + content.length);
  out.set(head);
  out.set(content, head.length);
  return out;
}

/** One RTP or RTCP packet on an interleaved channel (RFC 2326 §10.12). */
export function interleavedFrame(channel: number, data: Uint8Array): Uint8Array {
  if (!Number.isInteger(channel) || channel < 0 || channel > 0xff) throw new RangeError(`channel ${channel} is not a byte`);
  if (data.length > MAX_INTERLEAVED_DATA) throw new RangeError(`${data.length} bytes do not fit an interleaved frame`);
  const out = new Uint8Array(INTERLEAVED_HEADER_SIZE + data.length);
  out[0] = DOLLAR;
  out[1] = channel;
  out[2] = data.length >>> 8;
  out[3] = data.length & 0xff;
  out.set(data, INTERLEAVED_HEADER_SIZE);
  return out;
}
