// k230live serve: the board's stream for other programs, over RTSP and HTTP, until Ctrl-C; it prints
// each URL with what it carries (pictures and sound, or pictures only).
import { parseArgs } from 'node:util';
import { estimateClockOffset } from '../host/session/clock-sync';
import { UserError } from '../shared/user-error';
import { fitSound } from '../host/session/sound-fit';
import { DEFAULT_SHARE, shareStream, urlLines } from '../host/stream-server/share';
import { AudioCodec } from '../protocol/messages';
import { withBoard } from './with-board';
import { SETTINGS_OPTIONS, settingsFromOptions } from './stream-options';

function portOption(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--${name} must be a TCP port, 0 to 65535 (got "${text}")`);
  return port;
}

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { port: { type: 'string' }, rtsp: { type: 'string' }, http: { type: 'string' }, listen: { type: 'string' }, ...SETTINGS_OPTIONS },
  });
  const rtspPort = portOption('rtsp', values.rtsp, DEFAULT_SHARE.rtspPort);
  const httpPort = portOption('http', values.http, DEFAULT_SHARE.httpPort);
  const settings = settingsFromOptions(values);
  return withBoard(values.port, async (session) => {
    const clock = await estimateClockOffset(session);
    const fitted = fitSound(settings, session.info!);
    if (fitted.notice) process.stderr.write(`k230live: ${fitted.notice}\n`);
    let clients = 0;
    const shared = await shareStream(session, {
      rtspPort,
      httpPort,
      listen: values.listen ?? DEFAULT_SHARE.listen,
      clock,
      onClients: (n) => {
        if (n !== clients) process.stderr.write(`k230live: ${n} client${n === 1 ? '' : 's'}\n`);
        clients = n;
      },
    });
    try {
      if (shared.warning) process.stderr.write(`k230live: warning: ${shared.warning}\n`);
      await session.startStream(fitted.settings);
      // One URL a line, then what it carries: the first word of each line is the URL.
      for (const line of urlLines(shared.all, fitted.settings.audio !== AudioCodec.Off)) console.log(line);
      process.stderr.write('k230live: serving the board\'s stream; Ctrl-C stops\n');
      const reason = await new Promise<string | undefined>((resolve) => {
        process.once('SIGINT', () => resolve(undefined));
        process.once('SIGTERM', () => resolve(undefined));
        session.once('close', (why) => resolve(why ?? 'disconnected'));
      });
      if (reason) throw new UserError(`the stream ended: ${reason}`);
      return 0;
    } finally {
      await shared.close();
    }
  });
}
