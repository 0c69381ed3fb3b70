// The extension-host tests in desktop VS Code through @vscode/test-electron, for a desktop with
// internet access (it downloads VS Code). `npx tsx test/electron/run.ts` after `npm run build`.
// On machines that cannot download VS Code, test/vscode runs the same extension in code-server.
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

const root = path.join(__dirname, '..', '..');

runTests({
  extensionDevelopmentPath: root,
  extensionTestsPath: path.join(__dirname, 'suite.js'),
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
}).catch((e: Error) => {
  console.error(`extension-host tests failed: ${e.message}`);
  process.exit(1);
});
