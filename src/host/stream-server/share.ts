// Sharing the board's stream with other programs: the RTSP and HTTP servers over one hub, on
// loopback unless told otherwise, with the URLs a person copies into OBS, VLC or a script.
import type { ClockOffset } from '../session/clock-sync';
import { UserError } from '../../shared/user-error';
import type { BoardSession } from '../session/board-session';
import { Source } from '../../protocol/messages';
import { HTTP_PATHS, startHttpServer, type HttpStreamServer } from './http/http-server';
import { RTSP_PATHS, startRtspServer, type RtspStreamServer } from './rtsp/rtsp-server';
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

/** One URL the servers answer, and whether it carries the board's sound (when the stream has any). */
export interface SharedUrl {
  url: string;
  sound: boolean;
  /** what a script shows on its display, rather than the camera */
  display: boolean;
}

export interface SharedStream {
  /** the main URLs: the pictures and, when the stream has it, the sound */
  urls: { rtsp?: string; http?: string };
  /** every URL served, to show a person: RTSP's, then HTTP's, each with sound first */
  all: SharedUrl[];
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
  const display = session.info?.display ?? false;
  const rtspUrls: SharedUrl[] = Object.values(RTSP_PATHS).map((p) => ({ url: `rtsp://${host}:${rtsp?.port}${p.path}`, sound: p.sound, display: p.source === Source.Display }));
  const httpUrl = (path: string, sound: boolean, isDisplay: boolean): SharedUrl => ({ url: `http://${host}:${http?.port}${path}`, sound, display: isDisplay });
  const httpUrls = [httpUrl(HTTP_PATHS.mp4, true, false), httpUrl(HTTP_PATHS.videoOnly, false, false), httpUrl(HTTP_PATHS.display, true, true), httpUrl(HTTP_PATHS.displayVideo, false, true)];
  // The camera's first; a script's display where the board has one
  const all: SharedUrl[] = [...(rtsp ? rtspUrls : []), ...(http ? httpUrls : [])].sort((a, b) => Number(a.display) - Number(b.display)).filter((u) => display || !u.display);
  return {
    urls: {
      rtsp: rtsp && `rtsp://${host}:${rtsp.port}${RTSP_PATHS.main.path}`,
      http: http && `http://${host}:${http.port}${HTTP_PATHS.mp4}`,
    },
    all,
    warning: isLoopback(o.listen) ? undefined : `the stream is open to every machine that reaches ${o.listen}: anyone there can watch the camera`,
    clientCount: count,
    unread: () => rtsp?.unread() ?? [],
    close: async () => {
      hub.close();
      await Promise.all([rtsp?.close(), http?.close()]);
    },
  };
}

/**
 * A few words on what a shared URL carries: "pictures and sound", or "pictures only" for the URLs
 * without sound and for every URL of a stream that has none (`streamSound` false).
 */
export function soundNote(u: SharedUrl, streamSound = true): string {
  const what = u.sound && streamSound ? 'pictures and sound' : 'pictures only';
  return u.display ? `a script's display: ${what}` : what;
}

/** The URLs one to a line, each followed by what it carries, in aligned columns. */
export function urlLines(all: SharedUrl[], streamSound = true): string[] {
  const width = Math.max(0, ...all.map((u) => u.url.length));
  return all.map((u) => `${u.url.padEnd(width)}  ${soundNote(u, streamSound)}`);
}
