// Opens a port and handshakes: the one way every command and the extension reach a board.
import * as fs from 'node:fs';
import { DisconnectedError, type SerialPortStream } from '@serialport/stream';
import { agentSource, checkFirmware, isMicroPythonAgent, probePort, startAgent, stopAgent } from './canmv-board';
import { UserError } from '../../shared/user-error';
import { openPort } from '../link/serial-port';
import { BoardSession, SessionOptions } from '../session/board-session';
import { projectRoot } from './install-root';

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

/**
 * A session on a serial port, not yet greeted; disconnect() closes the port. What the port holds is
 * found first, with text-safe bytes only, which both agents take: one of our agents, or a stock
 * CanMV REPL, to which the MicroPython agent is uploaded and started.
 */
export async function openSession(portPath: string, options: SessionOptions = {}): Promise<BoardSession> {
  const port = await openPort(portPath);
  endWhenNodeVanishes(port, portPath);
  const close = () =>
    new Promise<void>((resolve) => {
      if (!port.isOpen) return resolve();
      port.close(() => resolve());
    });
  let uploaded = false;
  try {
    const found = await probePort(port);
    if (found.kind === 'silent') throw new UserError(`no K230 Live agent answered on ${portPath}, and no CanMV REPL: it sent nothing`);
    if (found.kind === 'other') throw new UserError(`no K230 Live agent answered on ${portPath}: it sends data, but not the K230 Live protocol, and no CanMV REPL banner (it sent ${found.seen})`);
    if (found.kind === 'repl') {
      checkFirmware(found.version, portPath);
      await startAgent(port, agentSource(projectRoot()), portPath);
      uploaded = true;
    }
    // The MicroPython agent stays for the next command; release() ends it and gives the board back to its REPL.
    const endAgent = uploaded || (found.kind === 'agent' && isMicroPythonAgent(found.agentVersion)) ? () => stopAgent(port) : undefined;
    return new BoardSession(port, { label: portPath, closeLink: close, helloTimeoutMs: uploaded ? 6000 : undefined, ...options, textSafe: true, endAgent });
  } catch (e) {
    await close();
    throw e;
  }
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
