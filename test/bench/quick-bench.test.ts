// The bench cannot rot: `BENCH_QUICK=1 npm run bench`, as docs/performance.md gives it, runs to its
// end and writes every figure into bench/results/latest.json. No timing is asserted here (the
// figures are the bench's to report); a step that crashes, or a figure that comes out missing or
// not a number, fails.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const ROOT = path.join(__dirname, '..', '..');
const LATEST = path.join(ROOT, 'bench', 'results', 'latest.json');

/** Every figure docs/performance.md and the issues quote, by its place in latest.json. */
const FIGURES = [
  'latency_ms.p50', 'latency_ms.p95', 'link_latency_ms.p50', 'ttff_ms', 'ingest', 'pull_ratio', 'agent_instr_per_byte',
  'agent_idle_cpu_pct', 'rss_growth_pct.host', 'rss_growth_pct.agent', 'recording_overhead', 'stock_agent.ceiling_ratio',
  'sound.cost', 'sound.latency', 'stream_server', 'scripts.run_to_first_line_ms.agent', 'scripts.output_mb_s.agent',
  'display.fps_held.640x480', 'display.fps_held.1280x720', 'display.display_minus_camera_ms.presented_p50',
  'display.board_cpu_pct.added', 'display.bytes_per_s.jpeg_over_h264',
  'stock_board.latency_ms.p50', 'stock_board.link_latency_ms.p50', 'stock_board.ttff_ms', 'stock_board.sound_latency',
];

function at(value: unknown, dotted: string): unknown {
  let v = value;
  for (const key of dotted.split('.')) v = (v as Record<string, unknown> | undefined)?.[key];
  return v;
}

/** The places under `value` that hold no finite number or text: what a crashed or empty step leaves.
 * null is a figure that does not apply (a MediaSource picture has no decode time of its own). */
function holes(value: unknown, where: string): string[] {
  if (typeof value === 'string' || value === null) return [];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [where];
  if (Array.isArray(value)) return value.flatMap((v, i) => holes(v, `${where}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => holes(v, where ? `${where}.${k}` : k));
  return [where];
}

test('BENCH_QUICK=1 npm run bench runs to its end and writes every figure', { timeout: 1_500_000 }, async () => {
  const before = fs.existsSync(LATEST) ? fs.statSync(LATEST).mtimeMs : 0;
  const child = spawn('npm', ['run', '-s', 'bench'], { cwd: ROOT, env: { ...process.env, BENCH_QUICK: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, `npm run bench failed:\n${stderr.slice(-3000)}`);
  assert.ok(fs.statSync(LATEST).mtimeMs > before, 'latest.json written by this run');
  const results = JSON.parse(fs.readFileSync(LATEST, 'utf8'));
  for (const figure of FIGURES) assert.ok(![undefined, null].includes(at(results, figure) as null), `${figure} in latest.json`);
  assert.deepEqual(holes(results, ''), [], 'every figure is a number');
});
