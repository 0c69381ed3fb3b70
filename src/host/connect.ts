// Opens a port and handshakes: the one way every command and the extension reach a board.
import { openPort } from './serial';
import { BoardSession, SessionOptions } from './session';

/** A session on a serial port, not yet greeted; disconnect() closes the port. */
export async function openSession(portPath: string, options: SessionOptions = {}): Promise<BoardSession> {
  const port = await openPort(portPath);
  const closeLink = () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
  return new BoardSession(port, { label: portPath, closeLink, ...options });
}

export async function connectBoard(portPath: string, options: SessionOptions = {}): Promise<BoardSession> {
  const session = await openSession(portPath, options);
  try {
    await session.connect();
  } catch (e) {
    await session.disconnect();
    throw e;
  }
  return session;
}
