// One RTSP/1.0 connection as the server reads it (RFC 2326): the client's requests and, between them, the
// RTP/RTCP it interleaves on the same TCP connection (§10.12: '$', channel, 16-bit big-endian length, data).
// The reader takes whatever the socket delivers and hands back whole items in order. What it cannot read
// becomes one 'malformed' item and it reads nothing after that: the server answers 400 (505 for another
// RTSP version) and closes. No input makes it throw, and it never holds more than a limit's worth of bytes
// beyond the chunk it was just given.
import { COLON, CR, DOLLAR, HT, INTERLEAVED_HEADER_SIZE, isControlByte, isToken, isTokenByte, latin1, LF, quoted, SP, utf8 } from './rtsp-grammar';

export interface RtspLimits {
  /** the request line and the header lines together, line ends included */
  headBytes: number;
  /** header lines (a folded continuation line is part of the one before it) */
  headers: number;
  /** Content-Length */
  bodyBytes: number;
}

export const RTSP_LIMITS: Readonly<RtspLimits> = { headBytes: 8 * 1024, headers: 64, bodyBytes: 64 * 1024 };

export interface RtspRequest {
  kind: 'request';
  method: string;
  uri: string;
  version: 'RTSP/1.0';
  /**
   * By lower-case name. A header given more than once has its values joined by ", ", as RFC 2616 §4.2 says
   * such fields combine (RFC 2326 §4.2 defers to it): Transport's alternatives stay alternatives, and the
   * server looks a header up once instead of choosing between copies. CSeq and Content-Length are single
   * numbers, so a second one makes the request malformed instead.
   */
  headers: ReadonlyMap<string, string>;
  /** RFC 2326 §12.17: every request has one; the response echoes it */
  cseq: number;
  /** Content-Length bytes (RFC 2326 §4.4: none when the header is absent) */
  body: Uint8Array;
}

/** What a client sends on an interleaved channel: RTCP receiver reports, to skip exactly. */
export interface RtspInterleaved {
  kind: 'interleaved';
  channel: number;
  data: Uint8Array;
}

export interface RtspMalformed {
  kind: 'malformed';
  /** the answer before closing: 505 RTSP Version Not Supported (RFC 2326 §7.1.1), else 400 Bad Request */
  status: 400 | 505;
  /** for the log, not for the client */
  reason: string;
}

export type RtspItem = RtspRequest | RtspInterleaved | RtspMalformed;

interface Head {
  method: string;
  uri: string;
  fields: [string, string][];
  /** request line and header lines so far, line ends included: what the limit counts */
  bytes: number;
}

type Stage =
  | { at: 'between' } // before a request or an interleaved frame
  | { at: 'head'; head: Head } // request line read, header lines coming
  | { at: 'body'; request: Omit<RtspRequest, 'body'>; length: number }
  | { at: 'closed' }; // malformed: nothing more is read

/** A step that moved the reader on without completing an item: look again at what is held. */
const AGAIN = Symbol('again');
type Step = RtspItem | undefined | typeof AGAIN;

interface Line {
  /** without its LF, and without the CR before it */
  content: Uint8Array;
  /** with its line end */
  size: number;
}

export class RtspReader {
  private buf = new Uint8Array(4096);
  private start = 0;
  private end = 0;
  /** where the search for the current line's LF goes on: the bytes from start to here hold none */
  private scanFrom = 0;
  private stage: Stage = { at: 'between' };

  constructor(private readonly limits: RtspLimits = RTSP_LIMITS) {}

  /** Bytes held while waiting for the rest of an item. */
  get pending(): number {
    return this.end - this.start;
  }

  /** True once a malformed item has been returned: the reader takes nothing more. */
  get closed(): boolean {
    return this.stage.at === 'closed';
  }

  /** Appends bytes and returns every item they complete, in order; a malformed item is the last there will be. */
  push(chunk: Uint8Array): RtspItem[] {
    const items: RtspItem[] = [];
    if (this.stage.at === 'closed') return items;
    try {
      this.append(chunk);
      for (let item = this.next(); item; item = this.next()) items.push(item);
    } catch (e) {
      // A bug here must cost one connection, not the server; the property tests look for this reason.
      items.push(this.fail(`internal error: ${e instanceof Error ? e.message : String(e)}`));
    }
    if (this.start === this.end) this.start = this.end = this.scanFrom = 0;
    return items;
  }

  private append(chunk: Uint8Array): void {
    if (this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start;
      if (live + chunk.length <= this.buf.length) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const grown = new Uint8Array(Math.max(this.buf.length * 2, live + chunk.length));
        grown.set(this.buf.subarray(this.start, this.end));
        this.buf = grown;
      }
      this.scanFrom -= this.start;
      this.start = 0;
      this.end = live;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  private next(): RtspItem | undefined {
    for (;;) {
      const step = this.step();
      if (step !== AGAIN) return step;
    }
  }

  private step(): Step {
    const stage = this.stage;
    switch (stage.at) {
      case 'closed':
        return undefined;
      case 'between':
        return this.between();
      case 'head':
        return this.headerLine(stage.head);
      case 'body':
        return this.body(stage.request, stage.length);
    }
  }

  private between(): Step {
    if (this.pending === 0) return undefined;
    const first = this.buf[this.start];
    // No method starts with '$' (RFC 2326 §10), so a '$' where a request could start is a frame.
    if (first === DOLLAR) return this.interleaved();
    // Refused at once, not after 8 KiB: whatever starts so cannot become a request line.
    if (!isTokenByte(first) && first !== CR && first !== LF) return this.fail('not an RTSP request');
    const line = this.takeLine(0);
    if (!line || 'kind' in line) return line;
    // An empty line where a request line is expected is skipped, as RFC 2616 §4.1 asks of servers.
    if (line.content.length === 0) return AGAIN;
    return this.requestLine(line);
  }

  private interleaved(): Step {
    if (this.pending < INTERLEAVED_HEADER_SIZE) return undefined;
    const s = this.start;
    const length = (this.buf[s + 2] << 8) | this.buf[s + 3];
    if (this.pending < INTERLEAVED_HEADER_SIZE + length) return undefined;
    this.consume(INTERLEAVED_HEADER_SIZE + length);
    // A copy: the item outlives this buffer, which is reused for the next bytes.
    return { kind: 'interleaved', channel: this.buf[s + 1], data: this.buf.slice(s + INTERLEAVED_HEADER_SIZE, s + INTERLEAVED_HEADER_SIZE + length) };
  }

  /**
   * The next line, once its LF is here. The head limit is checked against what is held as well as against
   * complete lines, so a line without end is refused as soon as it is too long, however it arrives.
   */
  private takeLine(headBytesSoFar: number): Line | RtspMalformed | undefined {
    const b = this.buf;
    const lf = b.subarray(this.scanFrom, this.end).indexOf(LF);
    if (lf < 0) {
      this.scanFrom = this.end;
      return headBytesSoFar + this.pending > this.limits.headBytes ? this.headTooLong() : undefined;
    }
    const at = this.scanFrom + lf;
    const size = at + 1 - this.start;
    if (headBytesSoFar + size > this.limits.headBytes) return this.headTooLong();
    // CRLF ends a line; a bare LF too, as RFC 2326 §4 asks receivers to accept. A bare CR, which it also
    // mentions, is refused with the line's other control characters: a line ending in CR could only be told
    // from CRLF by waiting for one more byte, which a client waiting for its answer would never send. No
    // client sends one (FFmpeg's own RTSP server reads LF as the end and drops every CR, rtspdec.c read_line).
    const contentEnd = at > this.start && b[at - 1] === CR ? at - 1 : at;
    const content = b.subarray(this.start, contentEnd);
    this.consume(size);
    return { content, size };
  }

  private headTooLong(): RtspMalformed {
    return this.fail(`request line and headers over ${this.limits.headBytes} bytes`);
  }

  // Request-Line = Method SP Request-URI SP RTSP-Version CRLF (RFC 2326 §6.1)
  private requestLine(line: Line): Step {
    for (const c of line.content) if (c !== SP && (c <= SP || c >= 0x7f)) return this.fail('control or non-ASCII byte in the request line');
    const fields = latin1.decode(line.content).split(' ');
    if (fields.length !== 3 || fields.some((f) => f.length === 0)) return this.fail('the request line is not method, URI and version');
    const [method, uri, version] = fields;
    if (!isToken(method)) return this.fail(`method ${quoted(method)} is not a token`);
    if (version !== 'RTSP/1.0') {
      // RTSP-Version = "RTSP" "/" 1*DIGIT "." 1*DIGIT: another version is RTSP all the same, and gets 505.
      if (/^RTSP\/[0-9]+\.[0-9]+$/.test(version)) return this.fail(`${version} is not supported, only RTSP/1.0`, 505);
      return this.fail(`version ${quoted(version)} is not RTSP`);
    }
    this.stage = { at: 'head', head: { method, uri, fields: [], bytes: line.size } };
    return AGAIN;
  }

  private headerLine(head: Head): Step {
    const line = this.takeLine(head.bytes);
    if (!line || 'kind' in line) return line;
    head.bytes += line.size;
    const c = line.content;
    if (c.length === 0) return this.endOfHead(head);
    for (const byte of c) if (isControlByte(byte)) return this.fail('control character in a header line');
    // A line starting with white space continues the header before it (LWS, RFC 2616 §2.2 and §4.2).
    if (c[0] === SP || c[0] === HT) return this.continuation(head, c);
    if (head.fields.length === this.limits.headers) return this.fail(`more than ${this.limits.headers} headers`);
    const colon = c.indexOf(COLON);
    if (colon <= 0) return this.fail('a header line without a name and a colon');
    for (let i = 0; i < colon; i++) if (!isTokenByte(c[i])) return this.fail('a header name that is not a token');
    const value = this.text(c.subarray(colon + 1));
    if (value === undefined) return this.fail('a header value that is not UTF-8');
    head.fields.push([latin1.decode(c.subarray(0, colon)), value]);
    return AGAIN;
  }

  private continuation(head: Head, content: Uint8Array): Step {
    const last = head.fields[head.fields.length - 1];
    if (!last) return this.fail('a continuation line before any header');
    const more = this.text(content);
    if (more === undefined) return this.fail('a header value that is not UTF-8');
    if (more) last[1] = last[1] ? `${last[1]} ${more}` : more;
    return AGAIN;
  }

  /** A header value: UTF-8, without the white space around it (RFC 2616 §4.2). */
  private text(bytes: Uint8Array): string | undefined {
    let from = 0;
    let to = bytes.length;
    while (from < to && (bytes[from] === SP || bytes[from] === HT)) from++;
    while (to > from && (bytes[to - 1] === SP || bytes[to - 1] === HT)) to--;
    try {
      return utf8.decode(bytes.subarray(from, to));
    } catch {
      return undefined;
    }
  }

  private endOfHead(head: Head): Step {
    const headers = new Map<string, string>();
    for (const [name, value] of head.fields) {
      const key = name.toLowerCase();
      const before = headers.get(key);
      if (before === undefined) headers.set(key, value);
      else if (key === 'cseq' || key === 'content-length') return this.fail(`${name} given twice`);
      else headers.set(key, `${before}, ${value}`);
    }
    const cseq = headers.get('cseq');
    if (cseq === undefined) return this.fail('no CSeq (RFC 2326 §12.17)');
    // CSeq = 1*DIGIT; 15 digits at most keeps it exact as a number.
    if (!/^[0-9]{1,15}$/.test(cseq)) return this.fail(`CSeq ${quoted(cseq)} is not a non-negative integer`);
    const contentLength = headers.get('content-length') ?? '0';
    if (!/^[0-9]+$/.test(contentLength)) return this.fail(`Content-Length ${quoted(contentLength)} is not a number`);
    const length = contentLength.length > 15 ? Infinity : Number(contentLength);
    // Refused before a byte of it is held.
    if (length > this.limits.bodyBytes) return this.fail(`a body of ${quoted(contentLength)} bytes, over ${this.limits.bodyBytes}`);
    const request: Omit<RtspRequest, 'body'> = { kind: 'request', method: head.method, uri: head.uri, version: 'RTSP/1.0', headers, cseq: Number(cseq) };
    this.stage = { at: 'body', request, length };
    return AGAIN;
  }

  private body(request: Omit<RtspRequest, 'body'>, length: number): Step {
    if (this.pending < length) return undefined;
    const body = this.buf.slice(this.start, this.start + length);
    this.consume(length);
    this.stage = { at: 'between' };
    return { ...request, body };
  }

  private consume(n: number): void {
    this.start += n;
    this.scanFrom = this.start;
  }

  private fail(reason: string, status: 400 | 505 = 400): RtspMalformed {
    this.stage = { at: 'closed' };
    // Nothing more will be read: let go of what is held.
    this.buf = new Uint8Array(0);
    this.start = this.end = this.scanFrom = 0;
    return { kind: 'malformed', status, reason };
  }
}
