// What each platform's .vsix carries: one home for the targets, the package paths and the rules
// that pick a target's files. scripts/package.ts builds the packages from these; the tests and the
// demo install vsixPath(TEST_TARGET). Pure functions of a file list: test/unit/package-files.test.ts.
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..');

/** The `vsce package --target` platforms a package is made for. */
export const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'] as const;
export type Target = (typeof TARGETS)[number];

/** The only target the simulator (device-agent/build/*, built for x86-64 Linux by `make dist`) ships in. */
export const SIMULATOR_TARGET: Target = 'linux-x64';
/** The package the code-server tests and the demo install (this machine's platform). */
export const TEST_TARGET: Target = 'linux-x64';

export function vsixPath(target: Target): string {
  return path.join(ROOT, 'dist', `k230-live-${target}.vsix`);
}

/** The .vsix the code-server tests and the demo install. */
export const TEST_VSIX = vsixPath(TEST_TARGET);

export function isTarget(name: string): name is Target {
  return (TARGETS as readonly string[]).includes(name);
}

/** The simulator's programs as the package holds them; `make -C device-agent dist` builds them into DIST_BUILD_DIR. */
export const SIMULATOR_PROGRAMS = ['k230-agent', 'k230-sim-venc', 'k230-sim-usb', 'k230-sim-ai'] as const;
export const DIST_BUILD_DIR = 'device-agent/build/dist';

/** Where a packaged file comes from in the project: the simulator's programs from the `make dist` build, the rest as is. */
export function sourceOf(packagePath: string): string {
  const m = /^device-agent\/build\/([^/]+)$/.exec(packagePath);
  return m ? `${DIST_BUILD_DIR}/${m[1]}` : packagePath;
}

/** serialport's prebuild folder for a target (node-gyp-build reads `darwin-x64+arm64` for both Macs). */
export function prebuildFolder(target: Target): string {
  return target.startsWith('darwin-') ? 'darwin-x64+arm64' : target;
}

/** Files every package carries, outside node_modules. */
const COMMON: RegExp[] = [
  /^(package\.json|README\.md|CHANGELOG\.md|LICENSE|THIRD-PARTY-NOTICES\.md)$/,
  /^package\.nls(\.[\w-]+)?\.json$/, // localised package.json strings
  /^l10n\/[^/]+\.json$/, // vscode.l10n bundles
  /^dist\/(activation|extension)\.js$/, // the entry, and the extension it loads when needed
  /^dist\/webview\/preview\.js$/,
  /^media\//,
  /^device-agent\/micropython\/[^/]+\.py$/, // the agent's modules, uploaded to stock CanMV boards: every package needs them
];

/** Files only the simulator's package carries: the programs, the simulated stock board and its MicroPython VM. */
const SIMULATOR: RegExp[] = [
  new RegExp(`^device-agent/build/(${SIMULATOR_PROGRAMS.join('|')})$`),
  /^device-agent\/stock-sim\//,
  /^dist\/stock-board(-vm)?\.js$/,
  /^node_modules\/@micropython\/micropython-webassembly-pyscript\/(package\.json|micropython\.mjs|micropython\.wasm)$/,
];

/** Packages under node_modules that are not needed at run time: node-addon-api is serialport's build-time C++ headers. */
const BUILD_TIME_PACKAGES = new Set(['node-addon-api']);

/** The package a node_modules path belongs to (the innermost one) and the path inside it. */
export function packageOf(file: string): { name: string; dir: string; rest: string } | undefined {
  const m = /^((?:.*\/)?node_modules\/((?:@[^/]+\/)?[^/]+))\/(.+)$/.exec(file);
  return m ? { dir: m[1], name: m[2], rest: m[3] } : undefined;
}

/** A runtime package's file a package carries: its manifest, licence and JavaScript; no types, maps, docs, tests, C sources. */
function runtimeModuleFile(target: Target, pkg: { name: string; rest: string }): boolean {
  if (BUILD_TIME_PACKAGES.has(pkg.name)) return false;
  if (pkg.name.startsWith('@micropython/')) return false; // SIMULATOR rules decide
  const { rest } = pkg;
  if (rest === 'package.json' || /^(licen[cs]e|copying)(\.\w+)?$/i.test(rest)) return true;
  if (/(^|\/)(tests?|__tests__|examples?)\//.test(rest)) return false; // (C sources and headers fail the extension test below)
  if (pkg.name === '@serialport/bindings-cpp' && rest.startsWith('prebuilds/')) {
    const [, folder, file] = rest.split('/');
    if (folder !== prebuildFolder(target)) return false;
    // VS Code's linux targets are glibc (Alpine has targets of its own): no musl builds
    return !(target.startsWith('linux-') && file.includes('.musl.'));
  }
  return /\.(js|cjs|mjs|json)$/.test(rest) && !/\.d\.[cm]?ts$/.test(rest) && !rest.endsWith('.map');
}

/** Files package.json itself names (its icon, walkthrough media): a package must carry them whatever the rules say. */
export function manifestFiles(manifest: { icon?: string; contributes?: { walkthroughs?: { steps?: { media?: Record<string, unknown> }[] }[] } }): string[] {
  const found: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string') found.push(path.posix.normalize(v.replace(/\\/g, '/')));
    else if (v && typeof v === 'object') Object.values(v).forEach(add); // { light, dark, hc }
  };
  add(manifest.icon);
  for (const w of manifest.contributes?.walkthroughs ?? []) for (const step of w.steps ?? []) for (const k of ['image', 'svg', 'markdown']) add(step.media?.[k]);
  return found;
}

/** Relative images a README shows (Markdown and <img>): VS Code shows them from the installed package, so it carries them. */
export function readmeImages(markdown: string): string[] {
  const links = [...markdown.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g), ...markdown.matchAll(/<img\b[^>]*\bsrc=["']([^"']+)["']/gi)].map((m) => m[1]);
  return [...new Set(links.filter((l) => !/^[a-z][\w+.-]*:/i.test(l) && !l.startsWith('#')).map((l) => path.posix.normalize(l.split('#')[0]).replace(/^\//, '')))];
}

/**
 * The files of `candidates` (package paths, forward slashes, relative to the extension's root)
 * that the target's package carries. `runtimeModules`: the node_modules package folders needed at
 * run time (npm's production tree); any other node_modules file is left out. `named`: manifestFiles().
 */
export function packageFiles(target: Target, candidates: readonly string[], runtimeModules: ReadonlySet<string>, named: readonly string[] = []): string[] {
  const simulator = target === SIMULATOR_TARGET;
  return candidates
    .filter((file) => {
      if (named.includes(file) || COMMON.some((r) => r.test(file))) return true;
      if (SIMULATOR.some((r) => r.test(file))) return simulator;
      const pkg = packageOf(file);
      return pkg !== undefined && runtimeModules.has(pkg.dir) && runtimeModuleFile(target, pkg);
    })
    .sort();
}

/** A .vscodeignore that leaves out everything but `files`. */
export function ignoreFileFor(files: readonly string[]): string {
  for (const f of files) {
    if (/[*?[\]{}()!#\\]/.test(f) || /^\s|\s$/.test(f)) throw new Error(`package: cannot name "${f}" in a .vscodeignore`);
  }
  return ['# written by scripts/package.ts: everything but the files below is left out', '**', ...files.map((f) => `!${f}`), ''].join('\n');
}
