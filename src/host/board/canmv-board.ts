// What is on a port (one of our agents, a stock CanMV board, something else), and the MicroPython
// agent put on a stock board: found with text-safe bytes only (the firmware turns some binary sequences into its IDE protocol,
// src/simulators/stock-board/ide-mode.ts), uploaded through the raw REPL's raw-paste mode and started, never
// written to the board's storage. docs/stock-firmware.md has the firmware facts this follows.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import { encodeFrame, Frame, FrameDecoder } from '../../protocol/framing';
import { decodePayload, encodePayload, MessageType, PROTOCOL_VERSION } from '../../protocol/messages';
import { UserError } from '../../shared/user-error';
import { textSafeFrame } from '../link/text-safe';

/** The first CanMV firmware whose stdin reads USB and whose stdout is binary-clean. */
export const FIRMWARE_MIN = [1, 7] as const;

export type PortFinding =
  | { kind: 'agent'; agentVersion: string }
  | { kind: 'repl'; version: string }
  | { kind: 'silent' }
  | { kind: 'other'; seen: string };

/** The MicroPython agent names itself so in HELLO_REPLY's agent_version (the C agent does not). */
export const isMicroPythonAgent = (agentVersion: string) => agentVersion.startsWith('micropython ');

/** Collects what the port sends while attached. */
class Listener {
  bytes = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private readonly onData = (b: Buffer) => {
    this.bytes = Buffer.concat([this.bytes, b]);
    for (const w of this.waiters.splice(0)) w();
  };
  constructor(private readonly port: Duplex) {
    port.on('data', this.onData);
  }
  get text(): string {
    return this.bytes.toString('latin1');
  }
  /** Waits until `done` holds for what came, or the time is up; returns whether it held. */
  async until(done: () => boolean, ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (!done()) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
    return true;
  }
  detach(): void {
    this.port.off('data', this.onData);
  }
}

const BANNER = /(?:CanMV|MicroPython) (v[\w.-]+)\(based on Micropython \w+\) on [\d-]+; [^\r\n]+|MicroPython (v[\d.]+)[^\r\n]* on [\d-]+; [^\r\n]+/;
const REPL_HINT = />>> |raw REPL|Traceback|MicroPython|CanMV/;

function write(port: Duplex, bytes: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => port.write(bytes, (e) => (e ? reject(e) : resolve())));
}

/** What a port holds, found with text-safe bytes only: one of our agents (both take text-safe
 * frames), a REPL, silence, or something else. */
export async function probePort(port: Duplex, waitMs = 300): Promise<PortFinding> {
  const l = new Listener(port);
  try {
    const id = 0x7ffffff0;
    const hello = encodeFrame(MessageType.Hello, id, encodePayload({ type: MessageType.Hello, id, protocolVersion: PROTOCOL_VERSION, hostName: 'k230live' }));
    await write(port, textSafeFrame(hello));
    const decoder = new FrameDecoder();
    let fed = 0;
    let reply: Frame | undefined;
    await l.until(() => {
      reply ??= decoder.push(l.bytes.subarray(fed)).find((f) => f.id === id);
      fed = l.bytes.length;
      return reply !== undefined;
    }, waitMs);
    if (reply) {
      const m = decodePayload(reply.type, reply.id, reply.payload);
      // An agent of another protocol version answers ERROR: the session's own HELLO says so in one line.
      return { kind: 'agent', agentVersion: m.type === MessageType.HelloReply ? m.agentVersion : '' };
    }
    if (!l.bytes.length) {
      // A raw REPL takes our line as code and says nothing: Ctrl-B brings it back to the friendly REPL.
      await write(port, '\x02');
      if (!(await l.until(() => REPL_HINT.test(l.text), waitMs))) return { kind: 'silent' };
    }
    if (!REPL_HINT.test(l.text) && !/[\x20-\x7e]{4}/.test(l.text)) return { kind: 'other', seen: describe(l.bytes) };
    // A REPL, or a script printing: Ctrl-C stops a script, Ctrl-B shows the friendly REPL's banner.
    await write(port, '\r\x03\x03');
    await l.until(() => false, 100);
    const from = l.bytes.length;
    await write(port, '\x02');
    await l.until(() => BANNER.test(l.bytes.subarray(from).toString('latin1')), 1500);
    const m = BANNER.exec(l.bytes.subarray(from).toString('latin1'));
    if (!m) return { kind: 'other', seen: describe(l.bytes) };
    return { kind: 'repl', version: m[1] ?? m[2] };
  } finally {
    l.detach();
  }
}

/** Some of what a port sent, for a person: printable, one line. */
function describe(bytes: Buffer): string {
  const text = bytes.subarray(0, 60).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return `"${text}"${bytes.length > 60 ? '...' : ''} (${bytes.length} bytes)`;
}

/** Refuses firmware older than FIRMWARE_MIN in one line that says how to update it. */
export function checkFirmware(version: string, portPath: string): void {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  const [major, minor] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (major > FIRMWARE_MIN[0] || (major === FIRMWARE_MIN[0] && minor >= FIRMWARE_MIN[1])) return;
  throw new UserError(
    `${portPath}: CanMV firmware ${version} is too old for K230 Live, which needs v${FIRMWARE_MIN.join('.')} or later ` +
      '(before it a script cannot read the USB port, and its output is not binary-clean): flash a newer image with k230-flash',
  );
}

/** The MicroPython agent's modules, each after those it needs: pasted in turn, they share __main__. */
export const AGENT_MODULES = ['wire', 'mp4', 'capture', 'display', 'stream', 'live', 'sdcard', 'recording', 'script', 'agent'] as const;

/** The agent's modules as startAgent pastes them (pasteText). */
export function agentSource(root: string): { name: string; code: string }[] {
  return AGENT_MODULES.map((name) => ({ name, code: pasteText(fs.readFileSync(path.join(root, 'device-agent', 'micropython', `${name}.py`), 'utf8')) }));
}

/**
 * A module as the board's compiler needs it, near a third smaller to paste (every 128-byte window of raw-paste
 * waits for the board's grant): comments gone, docstrings emptied (a docstring keeps `""`, so that a body
 * of one stays a body), a space for each level of indentation. Every line stays where it was, so a
 * traceback's line numbers are the file's.
 */
export function pasteText(code: string): string {
  let inDocstring = false;
  return code
    .split('\n')
    .map((line) => {
      const text = line.trimStart();
      const depth = line.length - text.length;
      if (inDocstring) {
        inDocstring = !text.includes('"""');
        return '';
      }
      if (text.startsWith('#')) return '';
      const indent = ' '.repeat(Math.floor(depth / 4) + (depth % 4)); // the agent indents by 4: levels keep their order
      const comment = text.indexOf('#');
      if (comment > 0 && !/['"]/.test(text)) return indent + text.slice(0, comment).trimEnd(); // no string: a '#' begins a comment
      if (!text.startsWith('"""')) return indent + text;
      inDocstring = !text.includes('"""', 3);
      return `${indent}""`;
    })
    .join('\n');
}

/** Uploads the agent's modules through raw-paste mode, one execution each, then starts it from the
 * friendly REPL (main()), so that the board is back at its prompt when the agent ends; the port
 * then speaks our protocol. */
export async function startAgent(port: Duplex, modules: { name: string; code: string }[], portPath: string): Promise<void> {
  const l = new Listener(port);
  const fail = (what: string) => new UserError(`${portPath}: the CanMV REPL ${what}; it sent ${describe(l.bytes.subarray(-60))}`);
  try {
    await write(port, '\r\x03\x03\x01');
    if (!(await l.until(() => l.text.includes('raw REPL; CTRL-B to exit\r\n>'), 2000))) throw fail('did not enter the raw REPL');
    for (const module of modules) {
      let from = l.bytes.length;
      await write(port, '\x05A\x01');
      if (!(await l.until(() => l.bytes.length - from >= 4, 2000))) throw fail('did not answer raw-paste mode');
      const head = l.bytes.subarray(from, from + 4);
      if (head[0] !== 0x52 || head[1] !== 0x01) throw fail('does not offer raw-paste mode');
      const window = head.readUInt16LE(2);
      from += 4;
      const code = Buffer.from(module.code, 'utf8');
      // One window to begin with, one more for each 0x01 the board sends.
      const allowed = () => window * (1 + l.bytes.subarray(from).filter((b) => b === 0x01).length);
      for (let at = 0; at < code.length; ) {
        if (!(await l.until(() => allowed() > at, 5000))) throw fail('stopped taking the upload');
        const n = Math.min(allowed() - at, code.length - at);
        await write(port, code.subarray(at, at + n));
        at += n;
      }
      const end = l.bytes.length;
      await write(port, '\x04');
      if (!(await l.until(() => l.bytes.subarray(end).includes(0x04), 5000))) throw fail('did not take the end of the upload');
      // The module's output, 0x04, what it raised, 0x04, and the raw REPL's prompt again.
      const ran = () => /\x04[^\x04]*\x04([^\x04]*)\x04>$/.exec(l.bytes.subarray(end).toString('latin1'));
      if (!(await l.until(() => ran() !== null, 5000))) throw fail(`did not run ${module.name}.py`);
      const raised = ran()![1].trim().split('\n').pop();
      if (raised) throw fail(`could not run the agent's ${module.name}.py (${raised})`);
    }
    const from = l.bytes.length;
    await write(port, '\x02'); // the friendly REPL: its banner, then its prompt
    if (!(await l.until(() => l.bytes.subarray(from).toString('latin1').endsWith('>>> '), 3000))) throw fail('did not leave the raw REPL');
    await write(port, 'main()\r');
  } finally {
    l.detach();
  }
}

/** Ends the agent and gives the board back to its friendly REPL. */
export async function stopAgent(port: Duplex): Promise<void> {
  const l = new Listener(port);
  try {
    await write(port, '\n!bye\n');
    await l.until(() => l.text.endsWith('>>> '), 2000); // the friendly REPL's prompt once main() returned
  } finally {
    l.detach();
  }
}
