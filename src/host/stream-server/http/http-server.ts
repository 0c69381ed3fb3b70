// The board's stream as live fragmented MP4 over HTTP, for what plays a URL but no RTSP (Debian's
// VLC, a browser's <video>, ffmpeg): GET /k230.mp4 gives each client the init segment, then the
// fragments from an IDR, at t=0 and with mfhd numbers of its own that increase (VLC checks them).
// Nothing else is served: any other path is 404, any other method 405, a malformed request 400.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { withoutSoundTrack } from '../../mp4/fragment-edits';
import type { InitSegment } from '../../session/board-session';
import { Source } from '../../../protocol/messages';
import { StreamTimeline } from '../../live/stream-timeline';
import { ClientFeed } from '../client-feed';
import { HTTP_SERVER_OPTIONS, refuseHttpRequest } from './http-request';
import type { StreamHub } from '../stream-hub';

export const HTTP_PATHS = { mp4: '/k230.mp4', videoOnly: '/k230-video.mp4', display: '/k230-display.mp4', displayVideo: '/k230-display-video.mp4' } as const;
/** What each path serves: its source, and whether with the sound. */
const SERVED: Record<string, { sound: boolean; source: Source.Camera | Source.Display }> = {
  [HTTP_PATHS.mp4]: { sound: true, source: Source.Camera },
  [HTTP_PATHS.videoOnly]: { sound: false, source: Source.Camera },
  [HTTP_PATHS.display]: { sound: true, source: Source.Display },
  [HTTP_PATHS.displayVideo]: { sound: false, source: Source.Display },
};

export interface HttpStreamServer {
  readonly port: number;
  clientCount(): number;
  close(): Promise<void>;
}

export async function startHttpServer(hub: StreamHub, port: number, host: string, onClients: () => void): Promise<HttpStreamServer> {
  const clients = new Set<http.ServerResponse>();
  const server = http.createServer(HTTP_SERVER_OPTIONS, (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const refusal = refuseHttpRequest(req);
    if (refusal) return void plain(res, refusal.status, refusal.reason, refusal.headers);
    const served = Object.hasOwn(SERVED, path) ? SERVED[path] : undefined;
    if (!served) return void plain(res, 404, `the stream is at ${HTTP_PATHS.mp4}`);
    res.writeHead(200, { 'content-type': 'video/mp4', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    if (req.method === 'HEAD') return void res.end();
    serveClient(hub, res, !served.sound, served.source);
    clients.add(res);
    onClients();
    res.on('close', () => {
      clients.delete(res);
      onClients();
    });
  });
  // node:http answers a request it cannot parse here: 400 and the connection closed, never a throw.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    clientCount: () => clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of clients) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function plain(res: http.ServerResponse, status: number, text: string, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close', ...headers }).end(`${text}\n`);
}

/** One client: the init segment, then its fragments from an IDR on a timeline of its own. */
function serveClient(hub: StreamHub, res: http.ServerResponse, videoOnly: boolean, source: Source.Camera | Source.Display): void {
  const socket = res.socket!;
  const feed = new ClientFeed({ write: (b) => res.write(b), get writableLength() { return socket.writableLength + res.writableLength; }, get destroyed() { return res.destroyed; } });
  let init: InitSegment | undefined;
  let timeline: StreamTimeline | undefined;
  const remove = hub.add({
    init(next) {
      if (init) {
        // New settings mid-stream: a new init segment would have to start a new file.
        if (Buffer.compare(init.data, next.data) !== 0) res.end();
        return;
      }
      init = next;
      timeline = new StreamTimeline(videoOnly ? undefined : next.audio, feed.gate);
      res.write(videoOnly ? withoutSoundTrack(next.data) : next.data);
    },
    picture(f) {
      const t = timeline;
      if (!t) return;
      feed.picture(f.keyframe, () => [t.picture(f)].filter((b): b is Uint8Array => !!b));
    },
    sound(c) {
      const t = timeline;
      if (t) feed.sound(() => [t.soundChunk(c)].filter((b): b is Uint8Array => !!b));
    },
    end: () => res.end(),
    get started() {
      return init !== undefined;
    },
  }, source);
  res.on('close', remove);
}
