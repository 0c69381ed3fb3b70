// CPU time a process has used, from Linux /proc (clock ticks of 1/100 s): for tests and benches
// that hold another process (the agent) to a CPU bound.
import * as fs from 'node:fs';

export function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
