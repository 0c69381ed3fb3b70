// The HTTP side of the stream server (GET /k230.mp4 and the like) runs on node:http, so there is no request
// reader here. Its parser (llhttp) already refuses what is not HTTP/1.x before the handler sees it: garbage,
// a bare LF or CR as line end, a folded or nameless header, a space before the colon, a repeated
// Content-Length, Transfer-Encoding beside Content-Length all get "400 Bad Request" and a closed connection,
// headers over maxHeaderSize get 431, and none of it throws; test/unit/http-request.test.ts throws arbitrary
// bytes at it. What is left is this server's own rules: the options that set the limits, and GET or HEAD
// only, without a body.
import type { IncomingHttpHeaders, ServerOptions } from 'node:http';

/** For http.createServer. */
export const HTTP_SERVER_OPTIONS: Readonly<ServerOptions> = {
  // request line and headers, as on the RTSP side; over it node:http answers 431
  maxHeaderSize: 8 * 1024,
  // HTTP/1.1 wants Host (RFC 9112 §3.2), but this server has one name and a player may leave it out
  requireHostHeader: false,
  // a connection that has not sent a whole request in 10 s is closed, looked at every 2 s; one whose request
  // is being answered (a stream that goes on for hours) is not
  headersTimeout: 10_000,
  requestTimeout: 10_000,
  connectionsCheckingInterval: 2_000,
};

export interface HttpRefusal {
  status: 400 | 405;
  reason: string;
  /** for writeHead: Allow with 405 (RFC 9110 §15.5.6), and a closed connection for the body left unread */
  headers: Record<string, string>;
}

/** Why this request gets no answer but an error; undefined when it is a GET or HEAD without a body. */
export function refuseHttpRequest(request: { method?: string; headers: IncomingHttpHeaders }): HttpRefusal | undefined {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return { status: 405, reason: 'Method Not Allowed', headers: { Allow: 'GET, HEAD', Connection: 'close' } };
  }
  // A GET's content has no meaning (RFC 9110 §9.3.1); one sent anyway is refused rather than read.
  const length = request.headers['content-length'];
  if (request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')) {
    return { status: 400, reason: 'Bad Request', headers: { Connection: 'close' } };
  }
  return undefined;
}
