// A link-fault proxy: its own PTY pair on each side, between the agent (--device on one) and the
// host (serialport on the other, through a symlink that survives hang-ups). It forwards bytes
// both ways and, when told, flips a bit, drops bytes, injects garbage, stalls, or hangs up.
import { ChildProcess, spawn } from 'node:child_process';
import * as readline from 'node:readline';

const PROXY = `
import json, os, pty, random, select, sys, time, tty
link = sys.argv[1]
random.seed(7)

def pair():
    m, s = pty.openpty()
    tty.setraw(s)
    os.set_blocking(m, False)
    return m, s

agent_m, agent_s = pair()
def host_pair():
    m, s = pair()
    tmp = link + '.new'
    if os.path.lexists(tmp):
        os.remove(tmp)
    os.symlink(os.ttyname(s), tmp)
    os.rename(tmp, link)
    return m, s
host_m, host_s = host_pair()
print('AGENT', os.ttyname(agent_s), flush=True)

pending = []          # faults waiting for bytes: [kind, direction, count]
stall_until = 0.0
stdin = sys.stdin.fileno()

def apply(direction, data):
    out = bytearray()
    for i, b in enumerate(data):
        f = next((f for f in pending if f[1] == direction), None)
        if f is None:
            out += data[i:]
            break
        if f[0] == 'flip':
            out.append(b ^ 0x10)
            pending.remove(f)
        elif f[0] == 'drop':
            f[2] -= 1
            if f[2] <= 0:
                pending.remove(f)
        else:
            out.append(b)
    return bytes(out)

# Bytes waiting for their side to read them: backpressure, never loss (losses are the faults only).
queued = {'to_host': bytearray(), 'to_agent': bytearray()}
LIMIT = 256 * 1024

def flush(direction, fd):
    q = queued[direction]
    if not q:
        return
    try:
        n = os.write(fd, q)
        del q[:n]
    except BlockingIOError:
        pass
    except OSError:
        q.clear()  # that side hung up

while True:
    readers = [stdin]
    if len(queued['to_agent']) < LIMIT:
        readers.append(host_m)
    if time.time() >= stall_until and len(queued['to_host']) < LIMIT:
        readers.append(agent_m)
    writers = ([host_m] if queued['to_host'] else []) + ([agent_m] if queued['to_agent'] else [])
    ready, writable, _ = select.select(readers, writers, [], 0.02)
    if host_m in writable:
        flush('to_host', host_m)
    if agent_m in writable:
        flush('to_agent', agent_m)
    if stdin in ready:
        line = sys.stdin.readline()
        if not line:
            break
        cmd = json.loads(line)
        kind, direction, n = cmd['kind'], cmd.get('dir', 'to_host'), cmd.get('n', 1)
        if kind == 'garbage':
            queued[direction] += bytes(random.getrandbits(8) for _ in range(n))
        elif kind == 'stall':
            stall_until = time.time() + cmd['seconds']
        elif kind == 'hangup':
            os.close(host_m); os.close(host_s)
            queued['to_host'].clear()
            time.sleep(cmd.get('seconds', 0.5))
            host_m, host_s = host_pair()
        else:
            pending.append([kind, direction, n])
        print('OK', kind, flush=True)
    if agent_m in ready:
        try:
            data = os.read(agent_m, 65536)
        except (BlockingIOError, OSError):
            data = b''
        queued['to_host'] += apply('to_host', data)
    if host_m in ready:
        try:
            data = os.read(host_m, 65536)
        except (BlockingIOError, OSError):
            data = b''
        queued['to_agent'] += apply('to_agent', data)
`;

export type Fault =
  | { kind: 'flip'; dir?: 'to_host' | 'to_agent' }
  | { kind: 'drop'; dir?: 'to_host' | 'to_agent'; n: number }
  | { kind: 'garbage'; dir?: 'to_host' | 'to_agent'; n: number }
  | { kind: 'stall'; seconds: number }
  | { kind: 'hangup'; seconds?: number };

export interface FaultProxy {
  /** the device the agent serves (--device) */
  agentPath: string;
  /** the port the host opens; the same path after a hang-up */
  hostPath: string;
  inject(fault: Fault): Promise<void>;
  stop(): void;
}

export async function startFaultProxy(hostPath: string): Promise<FaultProxy> {
  const child: ChildProcess = spawn('python3', ['-c', PROXY, hostPath], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = () => new Promise<string>((resolve) => waiting.push(resolve));
  const first = await next();
  const agentPath = first.replace(/^AGENT /, '');
  return {
    agentPath,
    hostPath,
    async inject(fault) {
      const ack = next();
      child.stdin!.write(`${JSON.stringify(fault)}\n`);
      await ack;
    },
    stop: () => child.kill('SIGKILL'),
  };
}
