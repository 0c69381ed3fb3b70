// The board's stream as the preview panel's messages (src/shared/panel.ts): one session in, one
// player out. The extension's panel, the browser tests and the benches all feed a player with it.
import { AudioCodec, Source } from '../../protocol/messages';
import { KeyframeGate } from '../../shared/keyframe-gate';
import type { PreviewFragment, PreviewInit, PreviewSound, SourceMessage, ToWebviewMessage } from '../../shared/panel';
import { fragmentPayload, withoutSoundTrack } from '../mp4/fragment-edits';
import type { AudioChunk, BoardSession, Fragment, InitSegment, SourcesNow } from '../session/board-session';
import { boardToHostMs, ClockOffset } from '../session/clock-sync';

/** The picture's init segment for the player, and what its sound is; the player decodes that itself. */
export function toInitMessage(init: InitSegment): PreviewInit {
  const sound = init.audio && { codec: init.audio.codec === AudioCodec.G711A ? ('g711a' as const) : ('g711u' as const), rate: init.audio.rate };
  return { type: 'init', codecString: init.codecString, width: init.width, height: init.height, data: withoutSoundTrack(init.data), sound };
}

export function toSourceMessage(s: SourcesNow): SourceMessage {
  return { type: 'source', camera: s.camera, display: s.display, live: s.live === undefined ? 'none' : s.live === Source.Display ? 'display' : 'camera' };
}

function toSoundMessage(c: AudioChunk, clock: ClockOffset): PreviewSound {
  return { type: 'sound', data: fragmentPayload(c.data), mediaTimeS: c.mediaTimeS, captureMs: boardToHostMs(c.ptsUs, clock) };
}

function toFragmentMessage(f: Fragment, clock: ClockOffset): PreviewFragment {
  return {
    type: 'fragment',
    data: f.data,
    sequence: f.sequence,
    keyframe: f.keyframe,
    mediaTimeS: f.mediaTimeS,
    captureMs: boardToHostMs(f.ptsUs, clock),
    boardDropped: f.dropped,
  };
}

export class PreviewFeed {
  private readonly gate = new KeyframeGate();
  private readonly detach: () => void;

  /** Feeds `post` from now on: the stream's init segment, then pictures from a keyframe and their sound. */
  constructor(
    private readonly session: BoardSession,
    clock: ClockOffset,
    private readonly post: (message: ToWebviewMessage) => void,
  ) {
    const onInit = (init: InitSegment) => {
      this.gate.close();
      post(toInitMessage(init));
    };
    const onFragment = (f: Fragment) => {
      if (this.gate.pass(f.keyframe)) post(toFragmentMessage(f, clock));
    };
    const onAudio = (c: AudioChunk) => {
      if (this.gate.isOpen) post(toSoundMessage(c, clock));
    };
    const onSources = (s: SourcesNow) => post(toSourceMessage(s));
    session.on('init', onInit).on('fragment', onFragment).on('audio', onAudio).on('sources', onSources);
    this.detach = () => session.off('init', onInit).off('fragment', onFragment).off('audio', onAudio).off('sources', onSources);
    post(toSourceMessage(session.sources));
  }

  /** A player (re)started on a running stream: its init segment again, then pictures from the keyframe asked for. */
  async restart(): Promise<void> {
    this.gate.close();
    const init = this.session.streamInit;
    if (!init) return; // the stream's first picture is a keyframe anyway
    this.post(toInitMessage(init));
    await this.session.requestIdr();
  }

  /** What the board can stream now, for a player that (re)appears. */
  tellSources(): void {
    this.post(toSourceMessage(this.session.sources));
  }

  close(): void {
    this.detach();
  }
}
