// The board's own MicroPython REPL, for a person at a terminal: the MicroPython agent (if it holds
// the board) ends first and gives the board back to its friendly REPL. The next K230 Live command
// uploads the agent again. The C agent (K230 SDK builds) has no REPL to give.
import type { SerialPortStream } from '@serialport/stream';
import { UserError } from '../../shared/user-error';
import { openPort } from '../link/serial-port';
import { isMicroPythonAgent, probePort, stopAgent } from './canmv-board';

export interface ReplLink {
  port: SerialPortStream;
  /** the REPL's banner and prompt, as the board printed them when it was reached */
  greeting: string;
  close(): Promise<void>;
}

export async function openRepl(portPath: string): Promise<ReplLink> {
  const port = await openPort(portPath);
  const close = () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
  try {
    const found = await probePort(port);
    if (found.kind === 'agent') {
      if (!isMicroPythonAgent(found.agentVersion)) {
        throw new UserError(`${portPath} runs the K230 SDK agent, which has no MicroPython REPL`);
      }
      await stopAgent(port);
    } else if (found.kind === 'silent') {
      throw new UserError(`${portPath} sent nothing: no CanMV REPL there`);
    } else if (found.kind === 'other') {
      throw new UserError(`${portPath} sends data, but no CanMV REPL banner (it sent ${found.seen})`);
    }
    // The friendly REPL's banner and prompt, fresh for the person.
    let greeting = '';
    const collect = (b: Buffer) => (greeting += b.toString('utf8'));
    port.on('data', collect);
    await new Promise<void>((resolve, reject) => port.write('\x02', (e) => (e ? reject(e) : resolve())));
    await new Promise((r) => setTimeout(r, 200));
    port.off('data', collect);
    return { port, greeting, close };
  } catch (e) {
    await close();
    throw e;
  }
}
