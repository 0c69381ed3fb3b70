// The extension's one link to a board: connect, stream for whoever needs it, notice the board
// going away, and reconnect by itself when its port comes back.
import * as vscode from 'vscode';
import { connectBoard } from '../host/board/connect';
import { ClockOffset, estimateClockOffset } from '../host/session/clock-sync';
import { BoardInfo, BoardRecordingState, BoardSession } from '../host/session/board-session';
import { fitSound, missingSound } from '../host/session/sound-fit';
import type { StreamSettings } from '../protocol/messages';
import type { BoardState } from '../shared/panel';
import { UserError } from '../shared/user-error';
import type { PortClaims } from './port-claim';

/** Who needs the live stream: it runs while any of them does. */
export type StreamConsumer = 'preview' | 'recording' | 'share';

const RECONNECT_INTERVAL_MS = 1000;

export class BoardConnection implements vscode.Disposable {
  private session: BoardSession | undefined;
  private portPath: string | undefined;
  private readonly consumers = new Set<StreamConsumer>();
  private streaming = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private detail: string | undefined;
  private connecting = false;
  /** counts connects and disconnects: an open that a newer one overtook lets its board go */
  private generation = 0;
  /** another window owns the port this one waits for */
  private elsewhere = false;
  clock: ClockOffset | undefined;

  private readonly stateEmitter = new vscode.EventEmitter<void>();
  /** the last no-sound line shown, so that each is shown once a connection */
  private soundNotice: string | undefined;
  /** the board went away; the one-line reason */
  private readonly lostEmitter = new vscode.EventEmitter<string>();
  private readonly boardRecordingEmitter = new vscode.EventEmitter<BoardRecordingState>();
  /** the recording on the board's own storage: each second while it runs, and when it stops */
  readonly onBoardRecording = this.boardRecordingEmitter.event;
  boardRecording: BoardRecordingState | undefined;
  readonly onDidChangeState = this.stateEmitter.event;
  readonly onLost = this.lostEmitter.event;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private settings: StreamSettings,
    private readonly claims: PortClaims,
  ) {}

  get state(): BoardState {
    if (this.connecting) return 'connecting';
    if (!this.session) return 'disconnected';
    return this.streaming ? 'streaming' : 'connected';
  }

  get info(): BoardInfo | undefined {
    return this.session?.info;
  }

  get port(): string | undefined {
    return this.portPath;
  }

  get stateDetail(): string | undefined {
    return this.detail;
  }

  /** The session, for requests and the stream's events; throws when not connected. */
  get board(): BoardSession {
    if (!this.session) throw new Error(vscode.l10n.t('connect to a board first (K230: Connect)'));
    return this.session;
  }

  /** The session while connected: consumers take the stream's events from it. */
  get connected(): BoardSession | undefined {
    return this.session;
  }

  get streamSettings(): StreamSettings {
    return this.settings;
  }

  async connect(portPath: string): Promise<BoardInfo> {
    // Refused before anything changes: a window waiting for the port goes on waiting.
    const busy = () => new UserError(vscode.l10n.t('{0} is in use in another VS Code window: disconnect it there first', portPath));
    if (this.claims.heldElsewhere(portPath)) throw busy();
    await this.disconnect();
    if (!this.claims.claim(portPath)) throw busy();
    this.portPath = portPath;
    try {
      return await this.open();
    } catch (e) {
      this.portPath = undefined;
      this.claims.release(portPath);
      throw e;
    }
  }

  /** Connects as soon as the port answers: at once, then every second (auto-connect). While another
   * window owns the port, this one says so and leaves the port alone until it is free. The status
   * bar says it is connected; `connected` is told too. */
  connectWhenAvailable(portPath: string, connected: (info: BoardInfo) => void): void {
    this.portPath = portPath;
    this.startReconnecting(connected);
  }

  /** Another window owns the port this one waits for. */
  get inUseElsewhere(): boolean {
    return this.elsewhere;
  }

  /** Disconnect: the board is given back (an agent the host started ends, the REPL returns). */
  async disconnect(): Promise<void> {
    const port = this.portPath;
    this.generation++;
    this.connecting = false;
    this.portPath = undefined;
    this.stopReconnecting();
    const s = this.session;
    this.session = undefined;
    this.streaming = false;
    this.detail = undefined;
    this.elsewhere = false;
    await s?.release();
    if (port) this.claims.release(port);
    this.stateEmitter.fire();
  }

  /** Adds a consumer; starts the stream when it is the first. */
  async want(consumer: StreamConsumer): Promise<void> {
    this.consumers.add(consumer);
    await this.reconcile();
  }

  /** Removes a consumer; stops the stream when none is left. */
  async release(consumer: StreamConsumer): Promise<void> {
    this.consumers.delete(consumer);
    await this.reconcile();
  }

  wants(consumer: StreamConsumer): boolean {
    return this.consumers.has(consumer);
  }

  /** New settings: a bitrate change is applied live; anything else restarts the stream. They are
   * kept only when the board took them: one it refused leaves the stream as it ran. */
  async applySettings(next: StreamSettings): Promise<void> {
    const prev = this.settings;
    if (this.session && this.streaming) {
      const onlyBitrate = (Object.keys(next) as (keyof StreamSettings)[]).every((k) => k === 'bitrateKbps' || next[k] === prev[k]);
      if (onlyBitrate) await this.session.setBitrate(next.bitrateKbps);
      else await this.session.startStream(this.fitted(next));
    }
    this.settings = next;
  }

  async requestIdr(): Promise<void> {
    if (this.session && this.streaming) await this.session.requestIdr();
  }

  dispose(): void {
    void this.disconnect();
    this.claims.releaseAll();
  }

  private async open(): Promise<BoardInfo> {
    const portPath = this.portPath!;
    const generation = ++this.generation;
    this.connecting = true;
    this.stateEmitter.fire();
    try {
      const session = await connectBoard(portPath);
      const clock = await estimateClockOffset(session);
      if (generation !== this.generation) {
        await session.release(); // disconnected, or connected elsewhere, meanwhile
        throw new Error(`the connection to ${portPath} was given up while it opened`);
      }
      this.clock = clock;
      this.session = session;
      this.detail = undefined;
      this.soundNotice = undefined;
      session.on('init', (init) => this.tellSound(missingSound(this.settings, init, session.info!)));
      session.on('audioLoss', (n) => this.log.info(`${n} chunk(s) of sound lost on the link: a gap in the sound`));
      session.on('loss', (n) => this.log.warn(`${n} fragment(s) lost on the link; asked for a keyframe`));
      session.on('close', (reason) => this.onSessionClosed(session, reason));
      session.on('boardRecording', (state) => this.onBoardRecordingEvent(state));
      if (session.info!.storage) this.setBoardRecording(await session.boardRecordingStatus());
      this.log.info(`connected to ${session.info!.boardName} (agent ${session.info!.agentVersion}) on ${portPath}; clock offset ±${Number(this.clock.rttUs) / 2000} ms`);
      await this.reconcile();
      return session.info!;
    } finally {
      if (generation === this.generation) this.connecting = false;
      this.stateEmitter.fire();
    }
  }

  /** The board's own word on its recording: one that stopped by itself says why, with what it saved. */
  private onBoardRecordingEvent(state: BoardRecordingState): void {
    const why = this.boardRecording?.active && !state.active ? (state.error ?? state.ended) : undefined;
    this.setBoardRecording(state);
    if (why === undefined) return;
    const line = vscode.l10n.t('K230: the board saved {0} ({1} frames, {2} s): {3}.', state.path, state.frames, state.elapsedS.toFixed(1), why);
    void (state.error ? vscode.window.showWarningMessage(line) : vscode.window.showInformationMessage(line));
  }

  /** Takes the board recording's state from a reply or an event. */
  setBoardRecording(state: BoardRecordingState): void {
    this.boardRecording = state;
    this.boardRecordingEmitter.fire(state);
  }

  private onSessionClosed(session: BoardSession, reason: string | undefined): void {
    if (session !== this.session || reason === undefined) return;
    this.session = undefined;
    this.streaming = false;
    this.detail = vscode.l10n.t('{0}; reconnecting when it comes back', reason);
    this.log.warn(reason);
    // A recording says it in its own line, with what it saved.
    if (!this.consumers.has('recording')) void vscode.window.showWarningMessage(`K230: ${this.detail}.`);
    this.lostEmitter.fire(reason);
    this.stateEmitter.fire();
    this.startReconnecting();
  }

  /** The settings with the sound this board can give; a board without it gets its one line, once. */
  private fitted(settings: StreamSettings): StreamSettings {
    const f = fitSound(settings, this.session!.info!);
    this.tellSound(f.notice);
    return f.settings;
  }

  private tellSound(notice: string | undefined): void {
    if (!notice || notice === this.soundNotice) return;
    this.soundNotice = notice;
    this.log.warn(notice);
    void vscode.window.showWarningMessage(`K230: ${notice}.`); // the host's words (src/host/session/sound-fit.ts): English
  }

  /** Tries the port now and every second until it answers. Without `connected` (the board went
   * away before) the person is told in a line, as they were told of the loss. */
  private startReconnecting(connected?: (info: BoardInfo) => void): void {
    this.stopReconnecting();
    const attempt = () => {
      if (this.session || this.connecting || !this.portPath) return;
      const elsewhere = !this.claims.claim(this.portPath);
      if (elsewhere !== this.elsewhere) {
        this.elsewhere = elsewhere;
        this.detail = elsewhere ? vscode.l10n.t('{0} is in use in another VS Code window; connecting here when it is free', this.portPath) : undefined;
        if (elsewhere) this.log.info(this.detail!);
        this.stateEmitter.fire();
      }
      if (elsewhere) return; // the port is not touched while another window owns it
      this.open().then(
        (info) => {
          this.stopReconnecting();
          if (connected) connected(info);
          else void vscode.window.showInformationMessage(vscode.l10n.t('K230: connected to {0} on {1}.', info.boardName, this.portPath!));
        },
        () => undefined, // not back yet: try again next tick
      );
    };
    this.reconnectTimer = setInterval(attempt, RECONNECT_INTERVAL_MS);
    attempt();
  }

  private stopReconnecting(): void {
    if (this.reconnectTimer) clearInterval(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }

  private async reconcile(): Promise<void> {
    const session = this.session;
    if (!session) return;
    const want = this.consumers.size > 0;
    if (want && !this.streaming) {
      this.streaming = true;
      this.stateEmitter.fire();
      try {
        await session.startStream(this.fitted(this.settings));
      } catch (e) {
        this.streaming = false;
        this.stateEmitter.fire();
        throw e;
      }
    } else if (!want && this.streaming) {
      this.streaming = false;
      this.stateEmitter.fire();
      await session.stopStream().catch(() => undefined);
    }
  }
}
