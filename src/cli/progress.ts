// A one-line progress bar on stderr, drawn only when stderr is a terminal.
import { formatBytes } from '../shared/format';

export function progressBar(label: string): { update(done: number, total: number, rateBps: number, etaS?: number): void; end(): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update(done, total, rateBps, etaS) {
      const now = performance.now();
      if (!tty || (now - last < 100 && done < total)) return;
      last = now;
      const width = 30;
      const filled = total ? Math.round((done / total) * width) : width;
      const eta = etaS === undefined ? '' : ` ${Math.ceil(etaS)} s left`;
      process.stderr.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${total ? Math.floor((100 * done) / total) : 100}% ` +
          `${formatBytes(done)}/${formatBytes(total)} ${formatBytes(rateBps)}/s${eta}\u001b[K`,
      );
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}
