// Opening serial ports with errors a user can act on, and listing them with K230 boards marked.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SerialPortStream } from '@serialport/stream';
import { SerialPort } from 'serialport';
import { UserError } from '../../shared/user-error';
import { LinkBinding } from './serial-binding';

/** USB VID:PID of CanMV K230 boards. */
export const K230_USB_ID = { vendorId: '1209', productId: 'abd1' };

export interface PortInfo {
  path: string;
  description: string;
  isK230: boolean;
}

interface RawPort {
  path: string;
  manufacturer?: string;
  vendorId?: string;
  productId?: string;
}

/** Linux without udevadm (containers, minimal systems): read USB ids from sysfs instead. */
function listPortsFromSysfs(): RawPort[] {
  const root = '/sys/class/tty';
  const read = (file: string) => {
    try {
      return fs.readFileSync(file, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  let names: string[];
  try {
    names = fs.readdirSync(root).filter((n) => /^tty(ACM|USB)\d+$/.test(n));
  } catch {
    return [];
  }
  return names.map((name) => {
    // device -> the USB interface; its parent is the USB device with the ids.
    const usbDevice = path.join(root, name, 'device', '..');
    return {
      path: `/dev/${name}`,
      manufacturer: read(path.join(usbDevice, 'manufacturer')),
      vendorId: read(path.join(usbDevice, 'idVendor')),
      productId: read(path.join(usbDevice, 'idProduct')),
    };
  });
}

export async function listPorts(): Promise<PortInfo[]> {
  let ports: RawPort[];
  try {
    ports = await SerialPort.list();
  } catch {
    ports = listPortsFromSysfs();
  }
  return ports
    .map((p) => {
      const isK230 = p.vendorId?.toLowerCase() === K230_USB_ID.vendorId && p.productId?.toLowerCase() === K230_USB_ID.productId;
      const description = [p.manufacturer, p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : undefined]
        .filter(Boolean)
        .join(' ');
      return { path: p.path, description, isK230 };
    })
    .sort((a, b) => Number(b.isK230) - Number(a.isK230) || a.path.localeCompare(b.path));
}

function describeOpenError(path: string, err: Error): string {
  const text = err.message;
  if (/ENOENT|No such file/i.test(text)) return `no serial port at ${path}`;
  if (/lock|EBUSY|busy|Resource temporarily unavailable/i.test(text)) {
    return `serial port ${path} is busy: another program has it open`;
  }
  if (/EACCES|Permission denied/i.test(text)) return `no permission to open ${path} (on Linux, join the dialout group)`;
  return `cannot open ${path}: ${text.replace(/^Error:\s*/, '')}`;
}

/** Opens a port exclusively. The baud rate matters on a real UART; USB CDC ACM and PTYs ignore it. */
export function openPort(path: string, baudRate = 2_000_000): Promise<SerialPortStream> {
  return new Promise((resolve, reject) => {
    const port = new SerialPortStream({ binding: LinkBinding, path, baudRate, autoOpen: false, lock: true });
    port.open((err) => (err ? reject(new UserError(describeOpenError(path, err))) : resolve(port)));
  });
}
