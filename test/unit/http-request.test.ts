// The stream server's HTTP side is node:http with HTTP_SERVER_OPTIONS and refuseHttpRequest
// (src/host/stream-server/http/http-request.ts). These tests hold node:http to what that file counts on: real
// clients' requests are answered, malformed ones get 400 (431 when too long) and a closed connection, and
// arbitrary bytes (fast-check) never crash the server or reach the handler as anything but a request.
import assert from 'node:assert/strict';
import { createServer, Server, ServerOptions } from 'node:http';
import { AddressInfo, connect } from 'node:net';
import { test } from 'node:test';
import * as fc from 'fast-check';
import { HTTP_SERVER_OPTIONS, refuseHttpRequest } from '../../src/host/stream-server/http/http-request';
import { ascii } from '../support/bytes';
import { anyDamage, damaged } from '../support/damage';

fc.configureGlobal({ seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261201 });

interface Running {
  server: Server;
  port: number;
  errors: unknown[];
  close(): Promise<void>;
}

/** The server as the stream server will run it: the options, the refusal, then the one file it serves. */
async function startServer(options: ServerOptions = HTTP_SERVER_OPTIONS, answer?: (end: () => void) => void): Promise<Running> {
  const errors: unknown[] = [];
  const server = createServer(options, (req, res) => {
    try {
      const refusal = refuseHttpRequest(req);
      if (refusal) {
        res.writeHead(refusal.status, refusal.reason, refusal.headers).end();
      } else if (req.url !== '/k230.mp4') {
        res.writeHead(404).end();
      } else {
        res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': 9 });
        if (answer) answer(() => res.end('mp4 bytes'));
        else res.end(req.method === 'HEAD' ? undefined : 'mp4 bytes');
      }
    } catch (e) {
      errors.push(e);
    }
  });
  server.on('error', (e) => errors.push(e));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    errors,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Sends bytes in the given writes and returns all the server answered before it closed. The client then
 * half-closes, or not: node:http gives up a request still being answered when the client does (its
 * httpAllowHalfOpen is false), and a player never does.
 */
function exchange(port: number, writes: Uint8Array[], { timeoutMs = 3000, halfClose = true } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got ${JSON.stringify(Buffer.concat(got).toString('latin1'))}`));
    }, timeoutMs);
    socket.on('data', (d) => got.push(d));
    socket.on('error', () => undefined); // a reset after the server's answer is a close too
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(got).toString('latin1'));
    });
    for (const w of writes) socket.write(w);
    if (halfClose) socket.end();
  });
}

const statusOf = (answer: string) => /^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1];

// FFmpeg (ffplay / ffprobe / OpenCV / OBS on http://...), libavformat/http.c http_connect
// (FFmpeg/FFmpeg@00db4189): "GET <path> HTTP/1.1", User-Agent "Lavf/<version>" (DEFAULT_USER_AGENT: with a
// slash, unlike RTSP's "Lavf60.16.100"), "Accept: */*", "Range: bytes=0-" when probing whether it can seek,
// "Connection: close" unless asked for multiple requests, Host, "Icy-MetaData: 1" (the icy option).
const ffmpegGet =
  'GET /k230.mp4 HTTP/1.1\r\nUser-Agent: Lavf/60.16.100\r\nAccept: */*\r\nRange: bytes=0-\r\nConnection: close\r\nHost: 127.0.0.1:8080\r\nIcy-MetaData: 1\r\n\r\n';
// curl's default request (as curl -v shows it)
const curlGet = 'GET /k230.mp4 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n';

test("real clients' GET and HEAD are answered; a request without Host too", async () => {
  const s = await startServer();
  try {
    for (const request of [ffmpegGet, curlGet, curlGet.replace('GET', 'HEAD'), 'GET /k230.mp4 HTTP/1.1\r\n\r\n', 'GET /k230.mp4 HTTP/1.0\r\n\r\n']) {
      const answer = await exchange(s.port, [ascii(request)]);
      assert.equal(statusOf(answer), '200', request);
      assert.equal(answer.endsWith('\r\n\r\nmp4 bytes'), !request.startsWith('HEAD'), answer);
    }
    assert.equal(statusOf(await exchange(s.port, [ascii(curlGet.replace('/k230.mp4', '/other'))])), '404');
    // the same request cut into single bytes
    const bytes = ascii(ffmpegGet);
    assert.equal(statusOf(await exchange(s.port, Array.from(bytes, (b) => Uint8Array.of(b)))), '200');
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

test('another method gets 405 with Allow; a GET with a body gets 400; the connection is closed', async () => {
  const s = await startServer();
  try {
    const post = await exchange(s.port, [ascii('POST /k230.mp4 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc')]);
    assert.equal(statusOf(post), '405');
    assert.match(post, /\r\nAllow: GET, HEAD\r\n/);
    assert.match(post, /\r\nConnection: close\r\n/);
    assert.equal(statusOf(await exchange(s.port, [ascii('OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n')])), '405');
    // an RTSP request on the HTTP port: llhttp reads RTSP/1.0 request lines, and the method is refused
    assert.equal(statusOf(await exchange(s.port, [ascii('DESCRIBE rtsp://127.0.0.1:8554/k230 RTSP/1.0\r\nCSeq: 2\r\n\r\n')])), '405');
    const withBody = await exchange(s.port, [ascii('GET /k230.mp4 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc')]);
    assert.equal(statusOf(withBody), '400');
    assert.match(withBody, /\r\nConnection: close\r\n/);
    assert.equal(statusOf(await exchange(s.port, [ascii('GET /k230.mp4 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')])), '400');
    assert.equal(statusOf(await exchange(s.port, [ascii('GET /k230.mp4 HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n')])), '200');
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

test("node:http's own refusals: 400 for what is not HTTP, 431 past 8 KiB of headers, never the handler", async () => {
  let handled = 0;
  const s = await startServer();
  s.server.prependListener('request', () => handled++);
  try {
    const refused: [string, string][] = [
      ['\u0000\u0001\u0002\u00ff\r\n\r\n', '400'],
      ['\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003', '400'], // a TLS ClientHello
      ['GET /k230.mp4 HTTP/1.1\nHost: h\n\n', '400'], // bare LF: llhttp is strict (RFC 9112 §2.2 lets a server be)
      ['GET /k230.mp4 HTTP/1.1\rHost: h\r\r', '400'],
      ['GET /k230.mp4 HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n', '400'], // folded header
      ['GET /k230.mp4 HTTP/1.1\r\nHo st: h\r\n\r\n', '400'],
      ['GET /k230.mp4 HTTP/1.1\r\nHost : h\r\n\r\n', '400'],
      ['GET /k230.mp4 HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', '400'],
      ['GET /k230.mp4\u0000 HTTP/1.1\r\n\r\n', '400'],
      [`GET /k230.mp4 HTTP/1.1\r\nX: ${'a'.repeat(8200)}\r\n\r\n`, '431'],
    ];
    for (const [request, status] of refused) {
      const answer = await exchange(s.port, [ascii(request)]);
      assert.equal(statusOf(answer), status, JSON.stringify(request));
      assert.match(answer, /\r\nConnection: close\r\n/);
    }
    assert.equal(handled, 0);
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

test('a connection without a whole request is closed after headersTimeout; a long answer is not cut', async () => {
  const quick = { ...HTTP_SERVER_OPTIONS, headersTimeout: 300, requestTimeout: 300, connectionsCheckingInterval: 50 };
  const s = await startServer(quick, (end) => setTimeout(end, 800));
  try {
    const socket = connect(s.port, '127.0.0.1');
    socket.write('GET /k230.mp4 HTTP/1.1\r\nHost: h\r\n');
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      let got = '';
      socket.on('data', (d) => (got += d.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(got));
    });
    assert.ok(Date.now() - started < 2000);
    assert.equal(statusOf(answer), '408');
    // an answer that goes on for longer than both timeouts arrives whole
    const slow = await exchange(s.port, [ascii(ffmpegGet)], { halfClose: false });
    assert.match(slow, /^HTTP\/1\.1 200 [^]*\r\n\r\nmp4 bytes$/);
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

// Noise, and requests with a byte flipped, dropped or inserted, or cut short.
const requests = [ffmpegGet, curlGet, 'HEAD /k230.mp4 HTTP/1.1\r\n\r\n', 'POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nab'].map(ascii);
const damage = anyDamage(fc.integer({ min: 0, max: 255 }));
const httpInput = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  fc.tuple(fc.constantFrom(...requests), damage).map(([r, d]) => damaged(r, d)),
  fc.tuple(fc.constantFrom(...requests), fc.uint8Array({ maxLength: 60 })).map(([r, tail]) => Uint8Array.from([...r, ...tail])),
);
const writeSizes = fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 4 });

test('arbitrary bytes never crash the server; each gets a known status or nothing, then a close', async () => {
  const s = await startServer();
  const seen = new Set<string>();
  try {
    await fc.assert(
      fc.asyncProperty(httpInput, writeSizes, async (bytes, sizes) => {
        const writes: Uint8Array[] = [];
        for (let at = 0, i = 0; at < bytes.length; i++) {
          writes.push(bytes.subarray(at, at + sizes[i % sizes.length]));
          at += sizes[i % sizes.length];
        }
        const answer = await exchange(s.port, writes);
        // pipelined requests may get several answers: each is one of these
        for (const m of answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)) {
          assert.ok(['200', '400', '404', '405', '431'].includes(m[1]), answer);
          seen.add(m[1]);
        }
        assert.ok(answer === '' || answer.startsWith('HTTP/1.1 '), answer);
      }),
      { numRuns: 150 },
    );
    assert.deepEqual(s.errors, []);
    for (const status of ['200', '400', '405']) assert.ok(seen.has(status), `no run got ${status}`);
    // and it still answers
    assert.equal(statusOf(await exchange(s.port, [ascii(curlGet)])), '200');
  } finally {
    await s.close();
  }
});
