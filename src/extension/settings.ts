// The k230live.* settings, read in one place.
import * as vscode from 'vscode';
import { UserError } from '../shared/user-error';
import type { StreamSettings } from '../protocol/messages';
import { AUDIO_CODECS, AUDIO_RATES, CODECS, DEFAULT_STREAM_SETTINGS, defaultProfile } from '../protocol/stream-settings';
import { AudioCodec } from '../protocol/messages';
import { DEFAULT_SHARE } from '../host/stream-server/share';

export function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('k230live');
}

export function streamSettings(): StreamSettings {
  const c = config();
  const d = DEFAULT_STREAM_SETTINGS;
  const codec = CODECS[c.get<string>('codec') ?? ''] ?? d.codec;
  const audio = AUDIO_CODECS[c.get<string>('audio') ?? ''] ?? d.audio;
  const rate = c.get<number>('audioRate', d.audioRate);
  return {
    width: c.get('width', d.width),
    height: c.get('height', d.height),
    fps: c.get('fps', d.fps),
    bitrateKbps: c.get('bitrateKbps', d.bitrateKbps),
    codec,
    profile: defaultProfile(codec),
    gop: c.get('gop', d.gop),
    audio,
    audioRate: audio === AudioCodec.Off ? 0 : (AUDIO_RATES as readonly number[]).includes(rate) ? rate : d.audioRate,
    source: d.source,
  };
}

/** The workspace folder recordings, pulls and snapshots go into (k230live.recordingsFolder); `why`
 * finishes the error for a window with no folder open. */
export function recordingsFolder(why: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new UserError(vscode.l10n.t('open a folder first: {0}', why));
  return vscode.Uri.joinPath(folder.uri, config().get('recordingsFolder', 'recordings'));
}

export function savedPort(): string | undefined {
  return config().get<string>('port') || undefined;
}

export async function savePort(port: string): Promise<void> {
  await config().update('port', port, vscode.ConfigurationTarget.Global);
}

export function autoConnect(): boolean {
  return config().get('autoConnect', true);
}

/** Open the live preview when auto-connect connects this window to the remembered board. */
export function previewOnAutoConnect(): boolean {
  return config().get('previewOnAutoConnect', false);
}

/** 'fragmented': the file as recorded; 'faststart': remuxed to moov-first when the recording stops. */
export function recordingContainer(): 'fragmented' | 'faststart' {
  return config().get<string>('recordingContainer', 'fragmented') === 'faststart' ? 'faststart' : 'fragmented';
}

/** Where K230: Share Stream serves: k230live.share.* (loopback unless a person says otherwise). */
export function shareSettings(): { rtspPort: number; httpPort: number; listen: string } {
  const c = config();
  return {
    rtspPort: c.get('share.rtspPort', DEFAULT_SHARE.rtspPort),
    httpPort: c.get('share.httpPort', DEFAULT_SHARE.httpPort),
    listen: c.get('share.listen', DEFAULT_SHARE.listen) || DEFAULT_SHARE.listen,
  };
}
