// Opens a port and handshakes: the one way every command and the extension reach a board.
import { openPort } from './serial';
import { BoardSession, SessionOptions } from './session';

export async function connectBoard(portPath: string, options: SessionOptions = {}): Promise<BoardSession> {
  const port = await openPort(portPath);
  const session = new BoardSession(port, { label: portPath, ...options });
  try {
    await session.connect();
  } catch (e) {
    await session.disconnect();
    throw e;
  }
  return session;
}
