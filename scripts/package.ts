// `npm run package`: one .vsix per platform (vsce package --target), dist/k230-live-<target>.vsix,
// each with only its own serialport binding; the simulator only in the linux-x64 one, built by
// `make -C device-agent dist` (static x264/x265, stripped). A .vscodeignore cannot differ per
// target, so each package is made from a folder of its own (dist/.package/<target>) holding its
// files and a .vscodeignore naming exactly them. Then the .vsix is checked: it holds those files and
// no others, and for this machine's target, unpacked, its serialport loads its binding and its
// agent starts. Needs `npm run build` first.
//   tsx scripts/package.ts [--target T]...
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ignoreFileFor,
  isTarget,
  manifestFiles,
  packageFiles,
  readmeImages,
  ROOT,
  SIMULATOR_PROGRAMS,
  SIMULATOR_TARGET,
  sourceOf,
  Target,
  TARGETS,
  TEST_TARGET,
  vsixPath,
} from './package-files';
import { thirdPartyNotices } from './third-party-notices';

const STAGE = path.join(ROOT, 'dist', '.package');

function fail(message: string): never {
  console.error(`package: ${message}`);
  process.exit(1);
}

function walk(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    return e.isDirectory() ? walk(rel) : e.isFile() ? [rel] : [];
  });
}

/** npm's production tree: the node_modules folders needed at run time (relative to ROOT). */
function runtimeModules(): string[] {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .map((p) => path.relative(ROOT, p).split(path.sep).join('/'))
    .filter((p) => p.startsWith('node_modules/'));
}

/** Everything a package might carry, as package paths (THIRD-PARTY-NOTICES.md is written per package). */
function candidates(modules: readonly string[]): string[] {
  const top = fs.readdirSync(ROOT, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
  const outer = modules.filter((m) => !modules.some((o) => o !== m && m.startsWith(`${o}/`)));
  return [
    ...top,
    'THIRD-PARTY-NOTICES.md',
    ...['dist', 'media', 'l10n', 'images', 'device-agent/micropython', 'device-agent/stock-sim'].flatMap(walk),
    ...SIMULATOR_PROGRAMS.map((p) => `device-agent/build/${p}`),
    ...outer.flatMap(walk),
  ];
}

function copy(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  fs.chmodSync(to, fs.statSync(from).mode & 0o777);
}

/** The names vsce gives these files inside a .vsix. */
const VSCE_NAMES: Record<string, string> = { 'readme.md': 'README.md', 'changelog.md': 'CHANGELOG.md', 'LICENSE.txt': 'LICENSE' };

function zipEntries(vsix: string): string[] {
  return execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8', maxBuffer: 1 << 24 }).split('\n').filter(Boolean);
}

function makePackage(target: Target, all: readonly string[], modules: readonly string[], named: readonly string[], vsceArgs: readonly string[]): void {
  const files = packageFiles(target, all, new Set(modules), named);
  const stage = path.join(STAGE, target);
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  for (const f of files) {
    if (f === 'THIRD-PARTY-NOTICES.md') continue;
    const from = path.join(ROOT, sourceOf(f));
    if (!fs.existsSync(from)) fail(`${sourceOf(f)} is missing (npm run build; make -C device-agent dist)`);
    copy(from, path.join(stage, f));
  }
  // vsce asks npm for the production tree, which must be whole: every runtime package folder is
  // copied in full, and the .vscodeignore keeps only `files` of it.
  for (const m of modules) {
    for (const f of walk(m)) if (!fs.existsSync(path.join(stage, f))) copy(path.join(ROOT, f), path.join(stage, f));
  }
  fs.writeFileSync(path.join(stage, 'THIRD-PARTY-NOTICES.md'), thirdPartyNotices(target, files));
  fs.writeFileSync(path.join(stage, '.vscodeignore'), ignoreFileFor(files));

  const vsix = vsixPath(target);
  fs.rmSync(vsix, { force: true });
  const vsce = path.join(ROOT, 'node_modules', '.bin', 'vsce');
  const run = spawnSync(vsce, ['package', '--target', target, '--allow-missing-repository', ...vsceArgs, '--out', vsix], { cwd: stage, encoding: 'utf8' });
  if (run.status !== 0) fail(`vsce package --target ${target} failed:\n${run.stdout}${run.stderr}`);

  // the .vsix holds exactly `files` (under extension/), besides vsce's own manifest files
  const entries = zipEntries(vsix);
  const inZip = new Set(entries.filter((e) => e.startsWith('extension/')).map((e) => VSCE_NAMES[e.slice('extension/'.length)] ?? e.slice('extension/'.length)));
  const missing = files.filter((f) => !inZip.has(f));
  const extra = [...inZip].filter((f) => !files.includes(f));
  if (missing.length || extra.length) fail(`${path.basename(vsix)}: missing ${missing.join(', ') || 'nothing'}; unexpected ${extra.join(', ') || 'nothing'}`);
  const prebuilds = files.filter((f) => f.includes('/prebuilds/'));
  if (prebuilds.length === 0) fail(`${path.basename(vsix)} has no serialport binding`);
  fs.rmSync(stage, { recursive: true, force: true });
  console.log(`${path.relative(ROOT, vsix)}: ${(fs.statSync(vsix).size / 1e6).toFixed(1)} MB, ${files.length} files; binding ${prebuilds.map((p) => p.split('/prebuilds/')[1]).join(', ')}`);
}

/** This machine's package, unpacked: its serialport loads its own binding, and (linux-x64) its agent starts. */
function checkUnpacked(target: Target): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-vsix-'));
  try {
    execFileSync('unzip', ['-q', vsixPath(target), '-d', dir]);
    const ext = path.join(dir, 'extension');
    const probe = `
      const { SerialPort } = require(${JSON.stringify(path.join(ext, 'node_modules', 'serialport'))});
      SerialPort.list().then((ports) => {
        const loaded = Object.keys(require.cache).filter((f) => f.endsWith('.node'));
        console.log(JSON.stringify({ ports: ports.length, loaded }));
      }, (e) => { console.error(e.message); process.exit(1); });`;
    const out = execFileSync(process.execPath, ['-e', probe], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
    const { loaded } = JSON.parse(out) as { loaded: string[] };
    if (loaded.length !== 1 || !loaded[0].startsWith(ext)) fail(`the unpacked ${target} package's serialport loaded ${loaded.join(', ') || 'no binding'}`);
    console.log(`${path.basename(vsixPath(target))}, unpacked: serialport lists ports through ${path.relative(ext, loaded[0])}`);
    if (target === SIMULATOR_TARGET) {
      const agent = path.join(ext, 'device-agent', 'build', 'k230-agent');
      const run = spawnSync(agent, ['--sim', '--pty'], { encoding: 'utf8', timeout: 1500 });
      if (!/^PTY \S+/.test(run.stdout)) fail(`the unpacked agent did not start: ${run.error?.message ?? ''}${run.stderr}`);
      console.log(`${path.basename(vsixPath(target))}, unpacked: device-agent/build/k230-agent --sim --pty serves ${run.stdout.trim()}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const targets: Target[] = [];
  for (let i = 0; i < args.length; i++) {
    const t = args[i] === '--target' ? args[++i] : undefined;
    if (!t || !isTarget(t)) fail(`usage: package.ts [--target ${TARGETS.join('|')}]...`);
    targets.push(t);
  }
  if (targets.length === 0) targets.push(...TARGETS);
  for (const f of ['dist/activation.js', 'dist/extension.js', 'dist/extension.js.meta.json']) if (!fs.existsSync(path.join(ROOT, f))) fail(`no ${f}: npm run build first`);
  if (targets.includes(SIMULATOR_TARGET)) {
    try {
      execFileSync('make', ['-s', '-C', path.join(ROOT, 'device-agent'), 'dist'], { stdio: 'inherit' });
    } catch {
      fail('make -C device-agent dist failed (needs libx264-dev, libx265-dev, libnuma-dev)');
    }
  }
  const modules = runtimeModules();
  const all = candidates(modules);
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Parameters<typeof manifestFiles>[0] & { repository?: { url?: string } | string };
  const named = [...manifestFiles(manifest), ...readmeImages(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'))];
  const absent = named.filter((f) => !fs.existsSync(path.join(ROOT, f)));
  if (absent.length) console.warn(`package: warning: package.json or README.md names ${absent.join(', ')}, which do not exist`);
  all.push(...named.filter((f) => !all.includes(f) && !absent.includes(f)));
  // vsce makes a README's relative links absolute from a GitHub/GitLab repository, and refuses
  // the package without one; with none, they are left as written (images are in the package).
  const repository = typeof manifest.repository === 'string' ? manifest.repository : (manifest.repository?.url ?? '');
  const vsceArgs = /github\.com|gitlab\.com/.test(repository) ? [] : ['--no-rewrite-relative-links'];
  if (vsceArgs.length) console.log(`package: package.json's repository (${repository || 'none'}) is not on GitHub or GitLab: the README's relative links stay relative`);
  for (const t of targets) makePackage(t, all, modules, named, vsceArgs);
  fs.rmSync(path.join(ROOT, 'dist', 'k230-live.vsix'), { force: true }); // the one-for-all package of before
  if (targets.includes(TEST_TARGET)) checkUnpacked(TEST_TARGET);
}

main();
