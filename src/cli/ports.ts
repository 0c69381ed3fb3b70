import { parseArgs } from 'node:util';
import { listPorts } from '../host/link/serial-port';

export async function portsCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const ports = await listPorts();
  if (values.json) {
    console.log(JSON.stringify(ports));
  } else if (ports.length === 0) {
    console.log('no serial ports found');
  } else {
    for (const p of ports) console.log(`${p.isK230 ? '*' : ' '} ${p.path}${p.description ? `  ${p.description}` : ''}${p.isK230 ? '  (CanMV K230)' : ''}`);
  }
  return 0;
}
