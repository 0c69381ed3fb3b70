// SETUP's Transport header (RFC 2326 §12.39), parsed into what the server can offer.
import { isToken } from './rtsp-grammar';

/** One transport-spec of a Transport header (RFC 2326 §12.39). */
export interface TransportSpec {
  /** transport-protocol/profile[/lower-transport] as written, upper-cased: "RTP/AVP/TCP", "RTP/AVP", "RTP/AVP/UDP"... */
  profile: string;
  /** "UDP" when the spec names none: §12.39's default */
  lowerTransport: string;
  /** as given; §12.39's default, multicast, means nothing for TCP, so it is left to the server */
  delivery?: 'unicast' | 'multicast';
  /**
   * The channels for RTP and RTCP in the '$' frames. A single channel given (§12.39 allows it) comes back as
   * [n, n]: the client named no RTCP channel. Absent: the client left the choice to the server.
   */
  interleaved?: [number, number];
  /** the client's UDP ports for RTP and RTCP; a single port as [n, n] */
  clientPort?: [number, number];
  /** upper-cased ("PLAY", "RECORD"): RFC 2326 quotes it, FFmpeg writes mode=record bare */
  mode?: string;
}

/** "a" or "a-b", each at most max, a <= b; undefined if not. */
function parseRange(value: string, max: number): [number, number] | undefined {
  const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(value);
  if (!m) return undefined;
  const low = Number(m[1]);
  const high = m[2] === undefined ? low : Number(m[2]);
  return low <= high && high <= max ? [low, high] : undefined;
}

function parseTransportSpec(text: string): TransportSpec | undefined {
  const [head, ...parameters] = text.split(';').map((p) => p.trim());
  const parts = head.toUpperCase().split('/');
  if (parts.length < 2 || parts.length > 3 || !parts.every(isToken)) return undefined;
  const spec: TransportSpec = { profile: parts.join('/'), lowerTransport: parts[2] ?? 'UDP' };
  for (const parameter of parameters) {
    const eq = parameter.indexOf('=');
    const name = (eq < 0 ? parameter : parameter.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : parameter.slice(eq + 1).trim();
    if (name === 'unicast' || name === 'multicast') {
      spec.delivery = name;
    } else if (name === 'interleaved') {
      const channels = parseRange(value, 0xff);
      if (!channels) return undefined;
      spec.interleaved = channels;
    } else if (name === 'client_port') {
      const ports = parseRange(value, 0xffff);
      if (!ports) return undefined;
      spec.clientPort = ports;
    } else if (name === 'mode') {
      spec.mode = value.replace(/^"(.*)"$/, '$1').toUpperCase();
    }
    // destination, ttl, ssrc, layers...: nothing a TCP-only server acts on.
  }
  return spec;
}

/** Every well-formed alternative of a Transport header, in the client's order of preference (§12.39: 1#transport-spec). */
export function parseTransports(header: string): TransportSpec[] {
  const specs: TransportSpec[] = [];
  for (const text of header.split(',')) {
    const spec = text.trim() && parseTransportSpec(text);
    if (spec) specs.push(spec);
  }
  return specs;
}

/**
 * The alternative this server takes: the first RTP/AVP/TCP one. Without one, the client's first choice, so
 * the server can see what was asked and answer 461 Unsupported Transport (FFmpeg, OBS and GStreamer then
 * try TCP). Undefined when no alternative is well formed.
 */
export function parseTransport(header: string): TransportSpec | undefined {
  const specs = parseTransports(header);
  return specs.find((s) => s.profile === 'RTP/AVP/TCP') ?? specs[0];
}
