// One build, separate bundles: the CLI and the extension for Node, the preview for the browser.
// Type-checking is its own step (tsc --noEmit) before this one.
import * as esbuild from 'esbuild';
import { writeFile } from 'node:fs/promises';

const watch = process.argv.includes('--watch');
const common = { bundle: true, sourcemap: true, logLevel: 'warning' };
const node = { ...common, platform: 'node', target: 'node20', format: 'cjs', external: ['serialport', 'vscode'] };

const builds = [
  { ...node, entryPoints: ['src/cli/k230live.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // the entry VS Code starts in every window, which loads dist/extension.js only when it is needed
  { ...node, entryPoints: ['src/extension/activation.ts'], outfile: 'dist/activation.js', external: [...node.external, './extension.js'] },
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js' },
  // the simulated stock CanMV board and its MicroPython VM's thread
  { ...node, entryPoints: ['src/simulators/stock-board/stock-board-main.ts'], outfile: 'dist/stock-board.js', external: ['@micropython/micropython-webassembly-pyscript'] },
  { ...node, entryPoints: ['src/simulators/stock-board/vm.ts'], outfile: 'dist/stock-board-vm.js', external: ['@micropython/micropython-webassembly-pyscript'] },
  { ...common, entryPoints: ['src/webview/preview-entry.ts'], outfile: 'dist/webview/preview.js', platform: 'browser', target: 'chrome120', format: 'iife' },
];

// The desktop extension-host suite (test/electron) is bundled only when asked for.
if (process.argv.includes('--electron-suite')) {
  builds.push({ ...node, entryPoints: ['test/electron/suite.ts'], outfile: 'test/electron/suite.js' });
}

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  // Each bundle's metafile (<bundle>.meta.json) names the packages inside it: scripts/package.ts
  // takes their licences into the .vsix from there.
  await Promise.all(
    builds.map(async (options) => {
      const result = await esbuild.build({ ...options, metafile: true });
      await writeFile(`${options.outfile}.meta.json`, JSON.stringify(result.metafile));
    }),
  );
}
