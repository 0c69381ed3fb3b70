// RTSP for ffmpeg, GStreamer, OpenCV and OBS: rtsp://HOST:PORT/k230, the board's H.264/H.265 and its
// G.711, or rtsp://HOST:PORT/k230-video, the pictures alone (for what cannot hold G.711, such as
// ffmpeg's MP4 writer); RTP interleaved in the RTSP connection (RFC 2326 §10.12), the one transport
// every desktop client opens. A SETUP over UDP gets 461 Unsupported Transport (clients then try
// TCP); a request that does not parse gets 400 and the connection closes.
import { randomInt } from 'node:crypto';
import * as net from 'node:net';
import { AudioCodec, Codec, Source } from '../../../protocol/messages';
import { boardToHostMs, type ClockOffset } from '../../session/clock-sync';
import { fragmentPayload } from '../../mp4/fragment-edits';
import type { InitSegment } from '../../session/board-session';
import { ClientFeed } from '../client-feed';
import { parameterSets, type ParameterSets } from './parameter-sets';
import { senderReport } from '../rtp/rtcp';
import { RTP_HEADER_SIZE } from '../rtp/rtp-header';
import { RtpSoundPacketizer, soundPayloadType, type SoundRate } from '../rtp/rtp-sound';
import { RtpVideoPacketizer, splitLengthPrefixed } from '../rtp/rtp-video';
import { RtspReader, RtspRequest } from './rtsp-reader';
import { interleavedFrame, rtspResponse } from './rtsp-response';
import { parseTransport } from './rtsp-transport';
import { sessionDescription, type SessionOptions } from './sdp';
import type { StreamHub } from '../stream-hub';

/**
 * The paths RTSP answers, each a session of its own: the pictures, and the sound where `sound` says so
 * and the board's stream has it. A path without sound describes no audio media at all.
 */
export const RTSP_PATHS = {
  main: { path: '/k230', sound: true, source: Source.Camera },
  videoOnly: { path: '/k230-video', sound: false, source: Source.Camera },
  display: { path: '/k230-display', sound: true, source: Source.Display },
  displayVideo: { path: '/k230-display-video', sound: false, source: Source.Display },
} as const satisfies Record<string, RtspPath>;

export interface RtspPath {
  readonly path: string;
  readonly sound: boolean;
  /** the camera, or what a script shows on its display (served while the board streams it) */
  readonly source: Source.Camera | Source.Display;
}

/** The entry a request's path falls under (the path itself, or a track's control URL below it). */
export function rtspPathOf(path: string): RtspPath | undefined {
  return Object.values(RTSP_PATHS).find((p) => path === p.path || path.startsWith(`${p.path}/`));
}

const VIDEO_PAYLOAD_TYPE = 96;
/** How long a DESCRIBE waits for the board's first init segment. */
const DESCRIBE_WAIT_MS = 5000;
/** Sender reports this often: the clients map each track's RTP time onto one clock, for sync. */
const REPORT_INTERVAL_MS = 1000;
const PUBLIC = 'OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER, SET_PARAMETER';

export interface RtspStreamServer {
  readonly port: number;
  clientCount(): number;
  /** what each playing client has not read yet, bytes: bounded by the client's queue */
  unread(): number[];
  close(): Promise<void>;
}

export async function startRtspServer(
  hub: StreamHub,
  options: { port: number; host: string; clock?: ClockOffset },
  onClients: () => void,
): Promise<RtspStreamServer> {
  const connections = new Set<RtspConnection>();
  const server = net.createServer((socket) => {
    const c = new RtspConnection(socket, hub, options.clock, onClients);
    connections.add(c);
    socket.on('close', () => {
      connections.delete(c);
      onClients();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    clientCount: () => [...connections].filter((c) => c.playing).length,
    unread: () => [...connections].filter((c) => c.playing).map((c) => c.unread),
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) c.close();
        server.close(() => resolve());
      }),
  };
}

/** One set-up track of a session: where its packets go, and how they are made. */
interface Track {
  kind: 'video' | 'sound';
  channel: number;
  ssrc: number;
  /** added to the board's clock in RTP units: RFC 3550 §5.1 wants a random start */
  offset: bigint;
  packets: number;
  octets: number;
  lastReportMs: number;
}

class RtspConnection {
  private readonly reader = new RtspReader();
  private sessionId: string | undefined;
  private readonly tracks = new Map<number, Track>();
  private init: InitSegment | undefined;
  private video: RtpVideoPacketizer | undefined;
  private sound: RtpSoundPacketizer | undefined;
  private feed: ClientFeed;
  private removeFromHub: (() => void) | undefined;
  private queue = Promise.resolve();

  constructor(
    private readonly socket: net.Socket,
    private readonly hub: StreamHub,
    private readonly clock: ClockOffset | undefined,
    private readonly onClients: () => void,
  ) {
    this.feed = new ClientFeed(socket);
    socket.setNoDelay(true);
    socket.on('data', (bytes: Buffer) => {
      for (const item of this.reader.push(bytes)) {
        if (item.kind === 'malformed') return this.refuse(item.status);
        // Requests are answered in order, each after the one before (DESCRIBE may wait for the stream).
        if (item.kind === 'request') this.queue = this.queue.then(() => this.answer(item)).catch(() => void this.socket.destroy());
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.stop());
  }

  get playing(): boolean {
    return this.removeFromHub !== undefined;
  }

  get unread(): number {
    return this.socket.writableLength;
  }

  close(): void {
    this.stop();
    this.socket.destroy();
  }

  private refuse(status: 400 | 505): void {
    const reason = status === 505 ? 'RTSP Version Not Supported' : 'Bad Request';
    if (this.socket.writable) this.socket.end(rtspResponse(status, reason, {}));
    this.stop();
  }

  private reply(req: RtspRequest, status: number, reason: string, headers: Record<string, string | number> = {}, body?: string): void {
    const session: Record<string, string> = this.sessionId ? { Session: `${this.sessionId};timeout=60` } : {};
    if (!this.socket.destroyed) this.socket.write(rtspResponse(status, reason, { CSeq: req.cseq, ...session, ...headers }, body));
  }

  private async answer(req: RtspRequest): Promise<void> {
    const path = pathOf(req.uri);
    if (req.method === 'OPTIONS') return this.reply(req, 200, 'OK', { Public: PUBLIC });
    const served = path === undefined ? undefined : rtspPathOf(path);
    if (path === undefined || !served) return this.reply(req, 404, 'Not Found');
    switch (req.method) {
      case 'DESCRIBE':
        return this.describe(req, served);
      case 'SETUP':
        return this.setup(req, path, served);
      case 'PLAY':
        return this.play(req, served);
      case 'TEARDOWN':
        this.stop();
        this.reply(req, 200, 'OK');
        this.sessionId = undefined;
        return;
      case 'GET_PARAMETER':
      case 'SET_PARAMETER':
        return this.reply(req, 200, 'OK'); // a keepalive (FFmpeg, GStreamer)
      default:
        return this.reply(req, 405, 'Method Not Allowed', { Allow: PUBLIC });
    }
  }

  private async describe(req: RtspRequest, served: RtspPath): Promise<void> {
    let init: InitSegment;
    try {
      init = await this.hub.initSegment(DESCRIBE_WAIT_MS, served.source);
    } catch {
      return this.reply(req, 503, 'Service Unavailable');
    }
    this.init = init;
    const sdp = sessionDescription(describedSession(served, init, parameterSets(init.data, init.codec), this.socket.localAddress ?? '127.0.0.1'));
    const base = `rtsp://${hostOf(req, this.socket)}${served.path}/`;
    this.reply(req, 200, 'OK', { 'Content-Base': base, 'Content-Type': 'application/sdp' }, sdp);
  }

  private setup(req: RtspRequest, path: string, served: RtspPath): void {
    const init = this.init;
    const track = /\/trackID=([01])$/.exec(path);
    if (!init || !track || (track[1] === '1' && !hasSound(served, init))) return this.reply(req, 404, 'Not Found');
    const transport = parseTransport(req.headers.get('transport') ?? '');
    if (!transport || transport.profile !== 'RTP/AVP/TCP') return this.reply(req, 461, 'Unsupported Transport');
    const id = Number(track[1]);
    const channel = transport.interleaved?.[0] ?? id * 2;
    const kind = id === 0 ? 'video' : 'sound';
    const ssrc = kind === 'video' ? this.videoPacketizer(init).ssrc : this.soundPacketizer(init).ssrc;
    this.tracks.set(id, { kind, channel, ssrc, offset: BigInt(randomInt(0x7fffffff)), packets: 0, octets: 0, lastReportMs: 0 });
    this.sessionId ??= String(randomInt(1e9, 1e10));
    const ssrcHex = ssrc.toString(16).padStart(8, '0').toUpperCase();
    this.reply(req, 200, 'OK', { Transport: `RTP/AVP/TCP;unicast;interleaved=${channel}-${channel + 1};ssrc=${ssrcHex}` });
  }

  private play(req: RtspRequest, served: RtspPath): void {
    if (!this.sessionId || !this.tracks.size) return this.reply(req, 455, 'Method Not Valid in This State');
    const base = `rtsp://${hostOf(req, this.socket)}${served.path}/`;
    const info = [...this.tracks].map(([id, t]) => `url=${base}trackID=${id};seq=${t.kind === 'video' ? this.video!.nextSequence : this.sound!.nextSequence}`);
    this.reply(req, 200, 'OK', { Range: 'npt=0.000-', 'RTP-Info': info.join(',') });
    if (this.playing) return;
    this.removeFromHub = this.hub.add({
      init: (next) => {
        // New settings mid-stream: the description the client has no longer fits; it reconnects.
        if (this.init && Buffer.compare(this.init.data, next.data) !== 0) this.close();
      },
      picture: (f) => {
        const t = this.trackOf('video');
        if (t) this.feed.picture(f.keyframe, () => this.videoPackets(t, f.ptsUs, fragmentPayload(f.data)));
      },
      sound: (c) => {
        const t = this.trackOf('sound');
        if (t) this.feed.sound(() => this.soundPackets(t, c.ptsUs, fragmentPayload(c.data)));
      },
      end: () => this.close(),
      started: true, // described from an init of its source: another source ends it
    }, served.source);
    this.onClients();
  }

  private stop(): void {
    const remove = this.removeFromHub;
    this.removeFromHub = undefined;
    if (remove) {
      remove();
      this.onClients();
    }
  }

  private trackOf(kind: Track['kind']): Track | undefined {
    for (const t of this.tracks.values()) if (t.kind === kind) return t;
    return undefined;
  }

  private videoPacketizer(init: InitSegment): RtpVideoPacketizer {
    if (!this.video) {
      this.video = new RtpVideoPacketizer(videoCodec(init), { payloadType: VIDEO_PAYLOAD_TYPE, ssrc: randomInt(0xffffffff) });
      const sets = parameterSets(init.data, init.codec);
      this.video.setParameterSets([sets.vps, sets.sps, sets.pps].filter((s): s is Uint8Array => !!s));
    }
    return this.video;
  }

  private soundPacketizer(init: InitSegment): RtpSoundPacketizer {
    this.sound ??= new RtpSoundPacketizer(soundCodec(init), { rate: init.audio!.rate as 8000 | 16000, ssrc: randomInt(0xffffffff) });
    return this.sound;
  }

  /** One access unit as interleaved RTP, at 90 kHz of the board's clock; a sender report each second. */
  private videoPackets(t: Track, ptsUs: bigint, sample: Uint8Array): Uint8Array[] {
    const rtpTime = rtpTimestamp(ptsUs, 90_000, t.offset);
    const packets = this.video!.packetize(splitLengthPrefixed(sample), rtpTime);
    return this.framed(t, ptsUs, rtpTime, packets);
  }

  private soundPackets(t: Track, ptsUs: bigint, samples: Uint8Array): Uint8Array[] {
    const rtpTime = rtpTimestamp(ptsUs, this.sound!.rate, t.offset);
    return this.framed(t, ptsUs, rtpTime, [this.sound!.packetize(samples, rtpTime)]);
  }

  /** The packets in '$' frames, in one buffer (one write per access unit), behind a sender report when one is due. */
  private framed(t: Track, ptsUs: bigint, rtpTime: number, packets: Uint8Array[]): Uint8Array[] {
    const frames: Uint8Array[] = [];
    const now = performance.now();
    if (now - t.lastReportMs >= REPORT_INTERVAL_MS) {
      t.lastReportMs = now;
      const wallMs = this.clock ? boardToHostMs(ptsUs, this.clock) : Number(ptsUs) / 1000;
      frames.push(interleavedFrame(t.channel + 1, senderReport(t.ssrc, wallMs, rtpTime, t.packets, t.octets)));
    }
    for (const p of packets) {
      frames.push(interleavedFrame(t.channel, p));
      t.packets++;
      t.octets += p.length - RTP_HEADER_SIZE;
    }
    return [Buffer.concat(frames)];
  }
}

/** The board's pts (us) on an RTP clock of `rate` Hz from a random start, modulo 2^32. */
function rtpTimestamp(ptsUs: bigint, rate: number, offset: bigint): number {
  return Number(((ptsUs * BigInt(rate)) / 1_000_000n + offset) % 0x1_0000_0000n);
}

/**
 * What a DESCRIBE of `served` describes: the pictures as trackID=0, and the sound as trackID=1 when the
 * path carries sound and the stream has it. Without sound there is no audio media at all, so a client
 * (ffmpeg writing MP4, which holds no G.711) never learns there was any.
 */
export function describedSession(served: RtspPath, stream: Pick<InitSegment, 'codec' | 'audio'>, sets: ParameterSets, origin: string): SessionOptions {
  const sound = hasSound(served, stream) ? { codec: soundCodec(stream), rate: stream.audio!.rate as SoundRate } : undefined;
  return {
    origin,
    sessionName: 'K230 Live',
    video: { codec: videoCodec(stream), payloadType: VIDEO_PAYLOAD_TYPE, control: 'trackID=0', ...sets },
    sound: sound && { ...sound, payloadType: soundPayloadType(sound.codec, sound.rate), control: 'trackID=1' },
  };
}

/** Whether a session at this path carries the sound: the path's entry says so, and the stream has it. */
function hasSound(served: RtspPath, init: Pick<InitSegment, 'audio'>): boolean {
  return served.sound && init.audio !== undefined;
}

function videoCodec(init: Pick<InitSegment, 'codec'>): 'h264' | 'h265' {
  return init.codec === Codec.H265 ? 'h265' : 'h264';
}

function soundCodec(init: Pick<InitSegment, 'audio'>): 'g711a' | 'g711u' {
  return init.audio?.codec === AudioCodec.G711A ? 'g711a' : 'g711u';
}

/** The path of an rtsp:// URL (or of a bare path), without a trailing slash; undefined when it is neither. */
function pathOf(uri: string): string | undefined {
  const m = /^rtsps?:\/\/[^/]*(\/[^?#]*)?/i.exec(uri) ?? /^(\/[^?#]*)/.exec(uri);
  if (!m) return undefined;
  return (m[1] ?? '/').replace(/\/+$/, '') || '/';
}

/** host:port as the client reached us (its own request URL), for Content-Base and RTP-Info. */
function hostOf(req: RtspRequest, socket: net.Socket): string {
  const m = /^rtsps?:\/\/([^/?#]+)/i.exec(req.uri);
  if (m) return m[1];
  const address = socket.localAddress ?? '127.0.0.1';
  return `${address.includes(':') ? `[${address}]` : address}:${socket.localPort}`;
}
