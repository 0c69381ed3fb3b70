// The stream settings have one home (src/protocol/stream-settings.ts): the manifest's k230live.*
// settings, the C agent's camera.h and the MicroPython agent's capture.py must say what it says.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Codec } from '../../src/protocol/messages';
import { AUDIO_RATES, DEFAULT_STREAM_SETTINGS, outsideLimit, STREAM_LIMITS } from '../../src/protocol/stream-settings';

const root = path.join(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
type Property = { default?: unknown; minimum?: number; maximum?: number; multipleOf?: number; enum?: string[] };
/** Every group's settings (the manifest has them in ordered groups). */
const properties: Record<string, Property> = Object.assign(
  {},
  ...(manifest.contributes.configuration as { properties: Record<string, Property> }[]).map((group) => group.properties),
);

test("the manifest's stream settings have the home's defaults and limits", () => {
  for (const [name, limit] of Object.entries(STREAM_LIMITS)) {
    const p = properties[`k230live.${name}`];
    assert.ok(p, `k230live.${name} is in the manifest`);
    assert.deepEqual(
      { default: p.default, minimum: p.minimum, maximum: p.maximum, multipleOf: p.multipleOf },
      { default: DEFAULT_STREAM_SETTINGS[name as keyof typeof STREAM_LIMITS], minimum: limit.min, maximum: limit.max, multipleOf: 'multipleOf' in limit ? limit.multipleOf : undefined },
      `k230live.${name}`,
    );
  }
  const codec = properties['k230live.codec'];
  assert.deepEqual(codec.enum, ['h264', 'h265']);
  assert.equal(codec.default, DEFAULT_STREAM_SETTINGS.codec === Codec.H265 ? 'h265' : 'h264');
});

test("the agent's camera.h has the home's limits", () => {
  const header = fs.readFileSync(path.join(root, 'device-agent', 'src', 'camera.h'), 'utf8');
  const defines = Object.fromEntries([...header.matchAll(/^#define (CAMERA_[A-Z_]+) (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
  assert.deepEqual(
    {
      CAMERA_WIDTH_MIN: defines.CAMERA_WIDTH_MIN,
      CAMERA_WIDTH_MULTIPLE: defines.CAMERA_WIDTH_MULTIPLE,
      CAMERA_HEIGHT_MIN: defines.CAMERA_HEIGHT_MIN,
      CAMERA_HEIGHT_MULTIPLE: defines.CAMERA_HEIGHT_MULTIPLE,
      CAMERA_FPS_MIN: defines.CAMERA_FPS_MIN,
      CAMERA_BITRATE_MIN_KBPS: defines.CAMERA_BITRATE_MIN_KBPS,
      CAMERA_BITRATE_MAX_KBPS: defines.CAMERA_BITRATE_MAX_KBPS,
      CAMERA_GOP_MIN: defines.CAMERA_GOP_MIN,
      CAMERA_GOP_MAX: defines.CAMERA_GOP_MAX,
    },
    {
      CAMERA_WIDTH_MIN: STREAM_LIMITS.width.min,
      CAMERA_WIDTH_MULTIPLE: STREAM_LIMITS.width.multipleOf,
      CAMERA_HEIGHT_MIN: STREAM_LIMITS.height.min,
      CAMERA_HEIGHT_MULTIPLE: STREAM_LIMITS.height.multipleOf,
      CAMERA_FPS_MIN: STREAM_LIMITS.fps.min,
      CAMERA_BITRATE_MIN_KBPS: STREAM_LIMITS.bitrateKbps.min,
      CAMERA_BITRATE_MAX_KBPS: STREAM_LIMITS.bitrateKbps.max,
      CAMERA_GOP_MIN: STREAM_LIMITS.gop.min,
      CAMERA_GOP_MAX: STREAM_LIMITS.gop.max,
    },
  );
});

test("the MicroPython agent's capture.py has the home's limits and sound rates", () => {
  const source = fs.readFileSync(path.join(root, 'device-agent', 'micropython', 'capture.py'), 'utf8');
  const constants = Object.fromEntries([...source.matchAll(/^([A-Z_]+) = (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
  assert.deepEqual(
    {
      WIDTH_MIN: constants.WIDTH_MIN,
      WIDTH_MULTIPLE: constants.WIDTH_MULTIPLE,
      HEIGHT_MIN: constants.HEIGHT_MIN,
      HEIGHT_MULTIPLE: constants.HEIGHT_MULTIPLE,
      FPS_MIN: constants.FPS_MIN,
      BITRATE_MIN_KBPS: constants.BITRATE_MIN_KBPS,
      BITRATE_MAX_KBPS: constants.BITRATE_MAX_KBPS,
      GOP_MIN: constants.GOP_MIN,
      GOP_MAX: constants.GOP_MAX,
    },
    {
      WIDTH_MIN: STREAM_LIMITS.width.min,
      WIDTH_MULTIPLE: STREAM_LIMITS.width.multipleOf,
      HEIGHT_MIN: STREAM_LIMITS.height.min,
      HEIGHT_MULTIPLE: STREAM_LIMITS.height.multipleOf,
      FPS_MIN: STREAM_LIMITS.fps.min,
      BITRATE_MIN_KBPS: STREAM_LIMITS.bitrateKbps.min,
      BITRATE_MAX_KBPS: STREAM_LIMITS.bitrateKbps.max,
      GOP_MIN: STREAM_LIMITS.gop.min,
      GOP_MAX: STREAM_LIMITS.gop.max,
    },
  );
  const rates = /^AUDIO_RATES = \(([\d, ]+)\)$/m.exec(source);
  assert.deepEqual(rates?.[1].split(', ').map(Number), [...AUDIO_RATES]);
});

test('the defaults lie inside the limits', () => {
  for (const name of Object.keys(STREAM_LIMITS) as (keyof typeof STREAM_LIMITS)[]) {
    assert.equal(outsideLimit(name, DEFAULT_STREAM_SETTINGS[name]), undefined, name);
  }
  assert.match(outsideLimit('width', 1004)!, /multiple of 8/);
  assert.match(outsideLimit('fps', 61)!, /from 1 to 60/);
});
