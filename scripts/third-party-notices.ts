// THIRD-PARTY-NOTICES.md of one package: every component it carries that is not K230 Live's own
// code, with its licence text taken from the real files: the packages' own licence files in
// node_modules (those under node_modules in the package, and those esbuild bundled into the
// package's dist/*.js, from the bundles' metafiles), and for the simulator's statically linked
// libraries Debian's /usr/share/doc/<package>/copyright and /usr/share/common-licenses.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageOf, ROOT, SIMULATOR_TARGET, Target } from './package-files';

interface Component {
  name: string;
  version: string;
  licence: string;
  /** where in the package: a bundle or a node_modules folder */
  where: Set<string>;
  /** where its source is published (package.json's repository) */
  source?: string;
  text: string;
}

function licenceFile(dir: string): string | undefined {
  const name = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.\w+)?$/i.test(f));
  return name && fs.readFileSync(path.join(dir, name), 'utf8');
}

/** Licence texts that a package does not carry itself (see the file for where it comes from). */
const WRITTEN: Record<string, string> = {
  '@micropython/micropython-webassembly-pyscript': 'licenses/micropython.txt',
};

function npmComponent(dir: string, components: Map<string, Component>, where: string): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    license?: string;
    repository?: string | { url?: string };
  };
  const key = `${manifest.name}@${manifest.version}`;
  let c = components.get(key);
  if (!c) {
    const written = WRITTEN[manifest.name];
    const text = written ? fs.readFileSync(path.join(ROOT, written), 'utf8') : licenceFile(path.join(ROOT, dir));
    if (!text) throw new Error(`notices: ${dir} has no licence file (add one to licenses/ and WRITTEN)`);
    const repository = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;
    const source = repository && sourceUrl(repository);
    c = { name: manifest.name, version: manifest.version, licence: manifest.license ?? 'see below', where: new Set(), source, text };
    components.set(key, c);
  }
  c.where.add(where);
}

/** A package.json repository as a web address: `owner/name`, git@github.com:…, git://… and git+https://… alike. */
export function sourceUrl(repository: string): string {
  const r = repository.replace(/^git\+/, '').replace(/\.git$/, '');
  if (/^[\w.-]+\/[\w.-]+$/.test(r)) return `https://github.com/${r}`;
  return r.replace(/^git@([^:]+):/, 'https://$1/').replace(/^git:\/\//, 'https://');
}

/** The node_modules package folders esbuild put into a bundle (from its <bundle>.meta.json, written by esbuild.mjs). */
export function bundledPackages(bundle: string): string[] {
  const metafile = path.join(ROOT, `${bundle}.meta.json`);
  if (!fs.existsSync(metafile)) throw new Error(`notices: no ${path.relative(ROOT, metafile)}: run \`node esbuild.mjs\` first`);
  const inputs = Object.keys((JSON.parse(fs.readFileSync(metafile, 'utf8')) as { inputs: Record<string, unknown> }).inputs);
  return [...new Set(inputs.flatMap((i) => packageOf(i)?.dir ?? []))].sort();
}

function debianVersion(pkg: string): string {
  return execFileSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' }).trim();
}

function debianCopyright(pkg: string): string {
  return fs.readFileSync(`/usr/share/doc/${pkg}/copyright`, 'utf8');
}

/** The GCC Runtime Library Exception, as Debian's gcc-12-base copyright file holds it. */
function gccRuntimeException(): string {
  const text = debianCopyright('gcc-12-base');
  const m = /GCC RUNTIME LIBRARY EXCEPTION[\s\S]*?requirements of the license of GCC\.\n/.exec(text);
  if (!m) throw new Error('notices: no GCC Runtime Library Exception in /usr/share/doc/gcc-12-base/copyright');
  return m[0];
}

const fence = (text: string) => `\`\`\`text\n${text.trimEnd()}\n\`\`\``;

/** The notices of one target's package, given the package's files. */
export function thirdPartyNotices(target: Target, files: readonly string[]): string {
  const components = new Map<string, Component>();
  for (const bundle of files.filter((f) => /^dist\/.*\.js$/.test(f))) {
    for (const dir of bundledPackages(bundle)) npmComponent(dir, components, `bundled into ${bundle}`);
  }
  const shippedModules = new Set(files.flatMap((f) => packageOf(f)?.dir ?? []));
  for (const dir of [...shippedModules].sort()) npmComponent(dir, components, dir);

  const out: string[] = [
    `# Third-party notices: the ${target} package of K230 Live`,
    '',
    "K230 Live's own code (the extension, the command line, the agents) is under the MIT licence in",
    'LICENSE. This package also carries the components below, each under its own licence, whose text',
    'follows it. This file is written by scripts/package.ts from the licence files themselves.',
    '',
  ];
  if (target === SIMULATOR_TARGET) {
    out.push(
      '## The simulator programs: GPL-2.0-or-later as a whole',
      '',
      '`device-agent/build/k230-agent` and `device-agent/build/k230-sim-venc` are K230 Live\'s MIT-licensed',
      'agent linked statically with x264 and x265, which are GPL-2.0-or-later; each of these two programs',
      'is therefore distributed, as a whole, under the GNU General Public License version 2 or (at your',
      'option) any later version (text below). `k230-sim-usb` and `k230-sim-ai` link neither and are',
      'MIT only. They are linked with the GCC runtime (libgcc, and libstdc++ for x265), under the GCC',
      'Runtime Library Exception, and use the system\'s glibc, which is not part of this package.',
      '',
      'Corresponding source: the agent is `device-agent/` of the K230 Live repository at the commit this',
      'package was built from, built with `make -C device-agent dist`; the libraries are the Debian 12',
      'source packages named below (`apt-get source x264 x265 numactl`), as Debian builds them.',
      '',
    );
    const debian: [string, string, string][] = [
      ['x264', 'libx264-dev', 'GPL-2.0-or-later'],
      ['x265', 'libx265-dev', 'GPL-2.0-or-later'],
      ['libnuma', 'libnuma-dev', 'LGPL-2.1 (x265 uses it)'],
    ];
    for (const [name, pkg, licence] of debian) {
      out.push(`## ${name} ${debianVersion(pkg)} (Debian 12's ${pkg}): ${licence}`, '', 'Linked statically into k230-agent and k230-sim-venc. Debian\'s copyright file:', '', fence(debianCopyright(pkg)), '');
    }
    out.push(
      `## GCC runtime libraries ${debianVersion('libstdc++-12-dev')} (libstdc++, libgcc): GPL-3.0-or-later WITH GCC-exception-3.1`,
      '',
      'Linked statically; the exception lets the program be conveyed under terms of its own choice:',
      '',
      fence(gccRuntimeException()),
      '',
    );
  }
  for (const c of [...components.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const source = c.source ? ` Source: npm ${c.name}@${c.version}, ${c.source}.` : '';
    out.push(`## ${c.name} ${c.version}: ${c.licence}`, '', `In this package: ${[...c.where].sort().join('; ')} (unmodified).${source}`, '', fence(c.text), '');
  }
  if (target === SIMULATOR_TARGET) {
    out.push('## GNU General Public License, version 2', '', fence(fs.readFileSync('/usr/share/common-licenses/GPL-2', 'utf8')), '');
    out.push('## GNU Lesser General Public License, version 2.1', '', fence(fs.readFileSync('/usr/share/common-licenses/LGPL-2.1', 'utf8')), '');
  }
  return out.join('\n');
}
