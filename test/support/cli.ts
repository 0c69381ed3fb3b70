// Runs the built k230live CLI as a user would, in its own process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';

export const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `input`: what goes to the command's stdin, then its end (none: stdin is closed at once). */
export function runCli(args: string[], onStart?: (pid: number) => void, input?: string): Promise<CliResult> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (input !== undefined) child.stdin!.end(input);
  onStart?.(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started })));
}

/** What a user must see when a command fails: a non-zero exit and one line on stderr, no stack trace. */
export function assertOneLineError(r: CliResult, pattern: RegExp, options: { quietStdout?: boolean } = {}): void {
  assert.notEqual(r.code, 0);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], /^k230live: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  if (options.quietStdout) assert.equal(r.stdout, '');
}
