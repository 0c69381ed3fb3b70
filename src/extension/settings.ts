// The k230live.* settings, read in one place.
import * as vscode from 'vscode';
import { Codec, Profile, StreamSettings } from '../protocol/messages';

export function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('k230live');
}

export function streamSettings(): StreamSettings {
  const c = config();
  return {
    width: c.get('width', 1280),
    height: c.get('height', 720),
    fps: c.get('fps', 30),
    bitrateKbps: c.get('bitrateKbps', 4000),
    codec: c.get<string>('codec', 'h264') === 'h265' ? Codec.H265 : Codec.H264,
    profile: Profile.High,
    gop: c.get('gop', 30),
  };
}

export function recordingsFolder(): string {
  return config().get('recordingsFolder', 'recordings');
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

/** 'fragmented': the file as recorded; 'faststart': remuxed to moov-first when the recording stops. */
export function recordingContainer(): 'fragmented' | 'faststart' {
  return config().get<string>('recordingContainer', 'fragmented') === 'faststart' ? 'faststart' : 'fragmented';
}
