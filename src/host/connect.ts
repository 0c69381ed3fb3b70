// Opens a port and handshakes: the one way every command and the extension reach a board.
import * as fs from 'node:fs';
import { DisconnectedError, type SerialPortStream } from '@serialport/stream';
import { openPort } from './serial';
import { BoardSession, SessionOptions } from './session';

/** How often the port's device node is looked for: a node that vanished ends the link. */
const NODE_CHECK_MS = 250;

/** Ends the link when its device node disappears (macOS may keep reading nothing from a dead port). */
function endWhenNodeVanishes(port: SerialPortStream, portPath: string): void {
  if (!portPath.startsWith('/')) return; // COMn: Windows reports a vanished device as a read error
  const timer = setInterval(() => {
    fs.stat(portPath, (err) => {
      if (err?.code === 'ENOENT' && port.isOpen) port.close(undefined, new DisconnectedError('its device node is gone'));
    });
  }, NODE_CHECK_MS);
  port.once('close', () => clearInterval(timer));
}

/** A session on a serial port, not yet greeted; disconnect() closes the port. */
export async function openSession(portPath: string, options: SessionOptions = {}): Promise<BoardSession> {
  const port = await openPort(portPath);
  endWhenNodeVanishes(port, portPath);
  const closeLink = () =>
    new Promise<void>((resolve) => {
      if (!port.isOpen) return resolve();
      port.close(() => resolve());
    });
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
