// The per-platform packages' file lists (scripts/package-files.ts): each target keeps only its own
// serialport prebuild, none keeps node-addon-api, C sources, types or tests, and only linux-x64
// keeps the simulator. Checked on a made-up tree and on serialport's real one in node_modules.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  ignoreFileFor,
  manifestFiles,
  packageFiles,
  prebuildFolder,
  readmeImages,
  ROOT,
  sourceOf,
  TARGETS,
  vsixPath,
} from '../../scripts/package-files';

const CPP = 'node_modules/@serialport/bindings-cpp';
const PREBUILDS = [
  'android-arm/@serialport+bindings-cpp.armv7.node',
  'darwin-x64+arm64/@serialport+bindings-cpp.node',
  'linux-arm64/@serialport+bindings-cpp.armv8.glibc.node',
  'linux-arm64/@serialport+bindings-cpp.armv8.musl.node',
  'linux-x64/@serialport+bindings-cpp.glibc.node',
  'linux-x64/@serialport+bindings-cpp.musl.node',
  'win32-arm64/@serialport+bindings-cpp.armv8.node',
  'win32-ia32/@serialport+bindings-cpp.node',
  'win32-x64/@serialport+bindings-cpp.node',
].map((p) => `${CPP}/prebuilds/${p}`);

/** The MicroPython agent's modules, as the project holds them: every package uploads them to stock boards. */
const AGENT_MODULES = fs.readdirSync(path.join(ROOT, 'device-agent', 'micropython')).filter((f) => f.endsWith('.py')).map((f) => `device-agent/micropython/${f}`);

const TREE = [
  'package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'THIRD-PARTY-NOTICES.md', 'tsconfig.json', 'package-lock.json',
  'dist/activation.js', 'dist/activation.js.map', 'dist/extension.js', 'dist/extension.js.map', 'dist/extension.js.meta.json', 'dist/cli.js', 'dist/webview/preview.js',
  'dist/stock-board.js', 'dist/stock-board-vm.js', 'media/camera.svg',
  ...AGENT_MODULES, 'device-agent/stock-sim/firmware/media/sensor.py',
  'device-agent/build/k230-agent', 'device-agent/build/k230-sim-venc', 'device-agent/build/k230-sim-usb', 'device-agent/build/k230-sim-ai',
  'node_modules/@micropython/micropython-webassembly-pyscript/micropython.wasm',
  'node_modules/@micropython/micropython-webassembly-pyscript/micropython.mjs',
  'node_modules/@micropython/micropython-webassembly-pyscript/package.json',
  'node_modules/@micropython/micropython-webassembly-pyscript/README.md',
  `${CPP}/package.json`, `${CPP}/LICENSE`, `${CPP}/README.md`, `${CPP}/binding.gyp`, `${CPP}/src/serialport.cpp`, `${CPP}/src/serialport.h`,
  `${CPP}/dist/index.js`, `${CPP}/dist/index.d.ts`, `${CPP}/node_modules/@serialport/parser-readline/dist/index.js`,
  ...PREBUILDS,
  'node_modules/node-addon-api/package.json', 'node_modules/node-addon-api/napi.h', 'node_modules/node-addon-api/index.js',
  'node_modules/debug/src/node.js', 'node_modules/debug/test/debug.test.js', 'node_modules/ms/license.md',
  'node_modules/esbuild/lib/main.js', // a dev dependency
];
const RUNTIME = new Set([
  CPP, `${CPP}/node_modules/@serialport/parser-readline`, 'node_modules/node-addon-api', 'node_modules/debug', 'node_modules/ms',
  'node_modules/@micropython/micropython-webassembly-pyscript',
]);

test('each target keeps only its own serialport prebuild, glibc only on Linux', () => {
  const expected: Record<string, string[]> = {
    'linux-x64': ['linux-x64/@serialport+bindings-cpp.glibc.node'],
    'linux-arm64': ['linux-arm64/@serialport+bindings-cpp.armv8.glibc.node'],
    'darwin-x64': ['darwin-x64+arm64/@serialport+bindings-cpp.node'],
    'darwin-arm64': ['darwin-x64+arm64/@serialport+bindings-cpp.node'],
    'win32-x64': ['win32-x64/@serialport+bindings-cpp.node'],
    'win32-arm64': ['win32-arm64/@serialport+bindings-cpp.armv8.node'],
  };
  for (const target of TARGETS) {
    const prebuilds = packageFiles(target, TREE, RUNTIME).filter((f) => f.includes('/prebuilds/'));
    assert.deepEqual(prebuilds, expected[target].map((p) => `${CPP}/prebuilds/${p}`), target);
  }
});

test('no package carries node-addon-api, C sources, gyp files, types, maps, docs of modules, tests or dev dependencies', () => {
  for (const target of TARGETS) {
    const files = packageFiles(target, TREE, RUNTIME);
    const bad = files.filter((f) => /node-addon-api|\.(cpp|h|gyp|d\.ts|map)$|\/test\/|esbuild|meta\.json|cli\.js|tsconfig|package-lock/.test(f) || (f.startsWith('node_modules/') && f.endsWith('README.md')));
    assert.deepEqual(bad, [], target);
    for (const f of [`${CPP}/dist/index.js`, `${CPP}/LICENSE`, `${CPP}/node_modules/@serialport/parser-readline/dist/index.js`, 'node_modules/debug/src/node.js', 'node_modules/ms/license.md', ...AGENT_MODULES, 'LICENSE', 'THIRD-PARTY-NOTICES.md', 'dist/activation.js', 'dist/extension.js']) {
      assert.ok(files.includes(f), `${target} lacks ${f}`);
    }
  }
});

test('only linux-x64 carries the simulator, the simulated stock board and its MicroPython VM', () => {
  const simulator = (f: string) => /^device-agent\/(build|stock-sim)\/|^dist\/stock-board|@micropython/.test(f);
  for (const target of TARGETS) {
    const sim = packageFiles(target, TREE, RUNTIME).filter(simulator);
    if (target === 'linux-x64') {
      assert.deepEqual(sim, TREE.filter(simulator).filter((f) => !f.endsWith('README.md')).sort());
    } else {
      assert.deepEqual(sim, [], target);
    }
  }
});

test("on serialport's real tree in node_modules, only the target's binding is kept", () => {
  const walk = (dir: string): string[] =>
    fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`]));
  const tree = [...walk(CPP), ...walk('node_modules/node-addon-api')];
  const nodes = tree.filter((f) => f.endsWith('.node'));
  assert.ok(nodes.length >= 6, 'serialport ships prebuilds for many platforms');
  for (const target of TARGETS) {
    const kept = packageFiles(target, tree, RUNTIME);
    const keptNodes = kept.filter((f) => f.endsWith('.node'));
    assert.ok(keptNodes.length >= 1, `${target} keeps a binding`);
    assert.ok(keptNodes.every((f) => f.startsWith(`${CPP}/prebuilds/${prebuildFolder(target)}/`)), `${target}: ${keptNodes.join(', ')}`);
    assert.ok(!kept.some((f) => f.startsWith('node_modules/node-addon-api/') || /\.(cc|cpp|h|gyp)$/.test(f)), target);
    assert.ok(kept.includes(`${CPP}/dist/serialport-bindings.js`), `${target} keeps the loader`);
  }
});

test('package paths, the simulator programs from `make dist`, the manifest and README files', () => {
  assert.equal(vsixPath('win32-arm64'), path.join(ROOT, 'dist', 'k230-live-win32-arm64.vsix'));
  assert.equal(sourceOf('device-agent/build/k230-agent'), 'device-agent/build/dist/k230-agent');
  assert.equal(sourceOf('dist/extension.js'), 'dist/extension.js');
  assert.deepEqual(manifestFiles({ icon: 'media/icon.png', contributes: { walkthroughs: [{ steps: [{ media: { image: { light: 'media/a.png', dark: 'media/b.png' }, altText: 'x' } }, { media: { markdown: 'media/c.md' } }] }] } }), [
    'media/icon.png', 'media/a.png', 'media/b.png', 'media/c.md',
  ]);
  assert.deepEqual(readmeImages('![a](media/x.png) [doc](docs/a.md) ![b](https://e.com/y.png) <img src="./media/z.gif" width=3>'), ['media/x.png', 'media/z.gif']);
  assert.deepEqual(packageFiles('win32-x64', ['media/icon.png', 'docs/shot.png'], new Set(), ['docs/shot.png']), ['docs/shot.png', 'media/icon.png']);
  const ignore = ignoreFileFor(['package.json', `${CPP}/prebuilds/darwin-x64+arm64/@serialport+bindings-cpp.node`]).split('\n');
  assert.deepEqual(ignore.slice(1, 4), ['**', '!package.json', `!${CPP}/prebuilds/darwin-x64+arm64/@serialport+bindings-cpp.node`]);
  assert.throws(() => ignoreFileFor(['media/[x].png']), /cannot name/);
});
