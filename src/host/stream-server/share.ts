// Sharing the board's stream with other programs: the RTSP and HTTP servers over one hub, on
// loopback unless told otherwise, with the URLs a person copies into OBS, VLC or a script.
import type { ClockOffset } from '../session/clock-sync';
import { UserError } from '../../shared/user-error';
import type { BoardSession } from '../session/board-session';
import { HTTP_PATHS, startHttpServer, type HttpStreamServer } from './http/http-server';
import { RTSP_PATH, startRtspServer, type RtspStreamServer } from './rtsp/rtsp-server';
import { StreamHub } from './stream-hub';

export const DEFAULT_SHARE = { rtspPort: 8554, httpPort: 8080, listen: '127.0.0.1' } as const;

export interface ShareOptions {
  /** 0: a free port; undefined: no such server */
  rtspPort?: number;
  httpPort?: number;
  /** the address to listen on; loopback unless a person says otherwise */
  listen: string;
  clock?: ClockOffset;
  /** the number of clients changed */
  onClients?: (count: number) => void;
}

export interface SharedStream {
  urls: { rtsp?: string; http?: string };
  /** one line when the servers listen beyond this machine */
  warning?: string;
  clientCount(): number;
  /** what each RTSP client has not read yet, bytes */
  unread(): number[];
  close(): Promise<void>;
}

export function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || /^127\./.test(address);
}

export async function shareStream(session: BoardSession, o: ShareOptions): Promise<SharedStream> {
  const hub = new StreamHub(session);
  let rtsp: RtspStreamServer | undefined;
  let http: HttpStreamServer | undefined;
  const count = () => (rtsp?.clientCount() ?? 0) + (http?.clientCount() ?? 0);
  const changed = () => o.onClients?.(count());
  try {
    if (o.rtspPort !== undefined) rtsp = await startRtspServer(hub, { port: o.rtspPort, host: o.listen, clock: o.clock }, changed);
    if (o.httpPort !== undefined) http = await startHttpServer(hub, o.httpPort, o.listen, changed);
  } catch (e) {
    await rtsp?.close();
    hub.close();
    const err = e as NodeJS.ErrnoException;
    const what = err.code === 'EADDRINUSE' ? 'is in use' : err.code === 'EACCES' ? 'needs rights this user lacks' : (err.code ?? err.message);
    throw new UserError(`cannot share the stream: port ${(err as { port?: number }).port ?? ''} on ${o.listen} ${what}`);
  }
  const host = o.listen.includes(':') ? `[${o.listen}]` : o.listen === '0.0.0.0' || o.listen === '::' ? '127.0.0.1' : o.listen;
  return {
    urls: {
      rtsp: rtsp && `rtsp://${host}:${rtsp.port}${RTSP_PATH}`,
      http: http && `http://${host}:${http.port}${HTTP_PATHS.mp4}`,
    },
    warning: isLoopback(o.listen) ? undefined : `the stream is open to every machine that reaches ${o.listen}: anyone there can watch the camera`,
    clientCount: count,
    unread: () => rtsp?.unread() ?? [],
    close: async () => {
      hub.close();
      await Promise.all([rtsp?.close(), http?.close()]);
    },
  };
}
