// A link-fault proxy: its own PTY pair on each side, between the agent (--device on one) and the
// host (serialport on the other), each reached through a symlink that survives hang-ups. It forwards
// bytes both ways and, when told, flips a bit, drops bytes, injects garbage, stalls, or ends the
// link as an unplugged cable does (the host's tty hung up or its PTY closed; the board's device gone).
import { ChildProcess, spawn } from 'node:child_process';
import * as readline from 'node:readline';

const PROXY = `
import fcntl, json, os, pty, random, select, sys, time, tty
host_link, agent_link = sys.argv[1], sys.argv[2]
random.seed(7)
TIOCVHANGUP = 0x5437  # what cdc-acm and usb-serial do to the tty when the cable comes out

def pair(link):
    m, s = pty.openpty()
    tty.setraw(s)
    os.set_blocking(m, False)
    tmp = link + '.new'
    if os.path.lexists(tmp):
        os.remove(tmp)
    os.symlink(os.ttyname(s), tmp)
    os.rename(tmp, link)
    return m, s

def unplug(side):
    m, s = side
    os.close(m)
    os.close(s)

host_m, host_s = pair(host_link)
agent_m, agent_s = pair(agent_link)
print('AGENT', agent_link, flush=True)

pending = []          # faults waiting for bytes: [kind, direction, count]
stall_until = 0.0     # agent -> host held back
silent_until = 0.0    # nothing forwarded either way
stale = []            # a host pair whose node vanished: closed when the link comes back
replug = None         # (when, which sides) after a hang-up
stdin = sys.stdin.fileno()

FLIP_MIN_READ = 256  # a PONG or an ERROR is shorter: a flip lands in a picture or a chunk of sound

def apply(direction, data):
    f = next((f for f in pending if f[1] == direction), None)
    if f is not None and f[0] == 'flip':
        if len(data) < FLIP_MIN_READ:
            return data
        pending.remove(f)
        mid = len(data) // 2
        data = data[:mid] + bytes([data[mid] ^ 0x10]) + data[mid + 1:]
    out = bytearray()
    for i, b in enumerate(data):
        f = next((f for f in pending if f[1] == direction), None)
        if f is None:
            out += data[i:]
            break
        if f[0] == 'drop':
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
    if replug and time.time() >= replug[0]:
        for side in stale:
            unplug(side)
        stale.clear()
        if host_m is None:
            host_m, host_s = pair(host_link)
        if agent_m is None:
            agent_m, agent_s = pair(agent_link)
        replug = None
    readers = [stdin]
    quiet = time.time() < silent_until
    if host_m is not None and not quiet and len(queued['to_agent']) < LIMIT:
        readers.append(host_m)
    if agent_m is not None and not quiet and time.time() >= stall_until and len(queued['to_host']) < LIMIT:
        readers.append(agent_m)
    writers = ([host_m] if host_m is not None and queued['to_host'] else []) + ([agent_m] if agent_m is not None and queued['to_agent'] else [])
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
        elif kind == 'silence':
            silent_until = time.time() + cmd['seconds']
        elif kind in ('hangup', 'vanish'):
            # hangup, close: the host's PTY master goes, bytes still flowing; hangup, vhangup: the
            # kernel's own hang-up of the host's tty; vanish: the host's node goes, its tty stays open.
            # board: the board's device vanishes too, to come back under its name.
            if kind == 'vanish':
                os.remove(host_link)
                stale.append((host_m, host_s))
            else:
                if cmd.get('how', 'close') == 'vhangup':
                    fcntl.ioctl(host_s, TIOCVHANGUP)
                unplug((host_m, host_s))
            host_m = None
            if cmd.get('board'):
                unplug((agent_m, agent_s))
                os.remove(agent_link)
                agent_m = None
            queued['to_host'].clear()
            queued['to_agent'].clear()
            replug = (time.time() + cmd.get('seconds', 0.5),)
        else:
            pending.append([kind, direction, n])
        print('OK', kind, flush=True)
    for fd, direction in ((agent_m, 'to_host'), (host_m, 'to_agent')):
        if fd in ready:
            try:
                data = os.read(fd, 65536)
            except (BlockingIOError, OSError):
                data = b''
            queued[direction] += apply(direction, data)
`;

export type Fault =
  /** one bit, in the middle of the next read of 256 bytes or more (never a PONG, which costs nothing) */
  | { kind: 'flip'; dir?: 'to_host' | 'to_agent' }
  | { kind: 'drop'; dir?: 'to_host' | 'to_agent'; n: number }
  | { kind: 'garbage'; dir?: 'to_host' | 'to_agent'; n: number }
  | { kind: 'stall'; seconds: number }
  /** the link ends; it comes back `seconds` later (default 0.5) under the same paths */
  | { kind: 'hangup'; how?: 'close' | 'vhangup'; board?: boolean; seconds?: number }
  /** the host's device node disappears while its tty stays open (what macOS may show) */
  | { kind: 'vanish'; board?: boolean; seconds?: number }
  /** nothing crosses either way for `seconds` */
  | { kind: 'silence'; seconds: number };

export interface FaultProxy {
  /** the device the agent serves (--device): a path that survives a hang-up with the board's side */
  agentPath: string;
  /** the port the host opens; the same path after a hang-up */
  hostPath: string;
  inject(fault: Fault): Promise<void>;
  stop(): void;
}

export async function startFaultProxy(hostPath: string, agentPath = `${hostPath}-board`): Promise<FaultProxy> {
  const child: ChildProcess = spawn('python3', ['-c', PROXY, hostPath, agentPath], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = () => new Promise<string>((resolve) => waiting.push(resolve));
  const first = await next();
  if (first !== `AGENT ${agentPath}`) throw new Error(`the fault proxy said "${first}"`);
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
