// A window in another language: every word of the manifest, the extension and the preview has
// its translation in each locale, with the English one's placeholders, links and product names.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { PREVIEW_STRINGS } from '../../src/shared/preview-strings';

const root = path.join(__dirname, '..', '..');
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
const manifest = read('package.json');
const english: Record<string, string> = read('package.nls.json');
const localesOf = (dir: string, pattern: RegExp) =>
  fs
    .readdirSync(path.join(root, dir))
    .map((f) => pattern.exec(f)?.[1])
    .filter((l): l is string => !!l)
    .sort();
const manifestLocales = localesOf('.', /^package\.nls\.(.+)\.json$/);
const bundleLocales = localesOf('l10n', /^bundle\.l10n\.(.+)\.json$/);

/** Names a translation keeps as they are. */
const PRODUCT_NAMES = ['K230', 'CanMV', 'H.264', 'H.265', 'HEVC', 'MP4', 'RTSP', 'G.711', 'PNG', 'VS Code', 'MicroPython', 'WebCodecs', 'MediaSource'];

/** What must come through a translation unchanged: placeholders, links, setting references, code. */
function fixedParts(text: string): string[] {
  return [...text.matchAll(/\{\d+\}|\(command:[^)]+\)|#k230live\.[\w.]+#|`[^`]+`|\$\([\w~-]+\)/g)].map((m) => m[0]).sort();
}

function assertKept(translated: string | undefined, text: string, what: string): void {
  assert.ok(translated, `${what}: translated`);
  assert.deepEqual(fixedParts(translated), fixedParts(text), `${what}: placeholders, links and code as in the English`);
  const lost = PRODUCT_NAMES.filter((name) => text.includes(name) && !translated.includes(name));
  assert.deepEqual(lost, [], `${what}: product names kept`);
}

/** Every string value of the manifest, with where it is. */
function* strings(value: unknown, at: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [at, value];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, `${at}[${i}]`);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* strings(v, `${at}.${k}`);
}

const sources = fs
  .readdirSync(path.join(root, 'src', 'extension'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => {
    const file = path.join('src', 'extension', f);
    return ts.createSourceFile(file, fs.readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  });

/** Every call of `callee` in the extension's sources. */
function callsOf(callee: RegExp): { file: string; line: number; call: ts.CallExpression }[] {
  const found: { file: string; line: number; call: ts.CallExpression }[] = [];
  for (const source of sources) {
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node) && callee.test(node.expression.getText(source))) {
        found.push({ file: source.fileName, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, call: node });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

const l10nCalls = callsOf(/^vscode\.l10n\.t$/);
/** The extension's texts for vscode.l10n.t, and the preview's table, which preview-panel.ts translates with it. */
const extensionTexts = [
  ...new Set([...l10nCalls.map(({ call }) => call.arguments[0]).filter(ts.isStringLiteralLike).map((a) => a.text), ...Object.values(PREVIEW_STRINGS)]),
];

test('every %key% of package.json is in package.nls.json, and every locale has the same keys', () => {
  const keys = [...strings(manifest, 'package.json')].flatMap(([, v]) => /^%(.+)%$/.exec(v)?.[1] ?? []);
  assert.deepEqual([...new Set(keys)].sort(), Object.keys(english).sort(), 'package.nls.json holds the keys package.json uses, no more');
  assert.ok(manifestLocales.includes('zh-cn'));
  for (const locale of manifestLocales) {
    assert.deepEqual(Object.keys(read(`package.nls.${locale}.json`)).sort(), Object.keys(english).sort(), `package.nls.${locale}.json`);
  }
});

test('command ids, when clauses and setting names stay as they are', () => {
  for (const [at, value] of strings(manifest.contributes, 'contributes')) {
    if (/\.(command|when|enablement|id|view)$/.test(at)) assert.doesNotMatch(value, /%/, at);
  }
  assert.equal(manifest.l10n, './l10n');
});

test('the manifest, the messages and the preview are translated, keeping placeholders, links and product names', () => {
  for (const locale of manifestLocales) {
    const translated: Record<string, string> = read(`package.nls.${locale}.json`);
    for (const [key, text] of Object.entries(english)) assertKept(translated[key], text, `${locale}: ${key}`);
  }
  assert.deepEqual(bundleLocales, manifestLocales, 'a bundle for each locale of the manifest');
  for (const locale of bundleLocales) {
    const bundle: Record<string, string> = read(`l10n/bundle.l10n.${locale}.json`);
    const missing = extensionTexts.filter((text) => !(text in bundle));
    assert.deepEqual(missing, [], `${locale}: texts without a translation`);
    const stale = Object.keys(bundle).filter((text) => !extensionTexts.includes(text));
    assert.deepEqual(stale, [], `${locale}: translations of texts no longer used`);
    for (const text of extensionTexts) assertKept(bundle[text], text, `${locale}: ${text}`);
  }
});

test('vscode.l10n.t is given its English as a literal (the bundle keys), but in the one place the preview table goes through', () => {
  const computed = l10nCalls.filter(({ call }) => !ts.isStringLiteralLike(call.arguments[0])).map(({ file, call }) => `${file}: ${call.getText()}`);
  assert.deepEqual(computed, ['src/extension/preview-panel.ts: vscode.l10n.t(english)']);
});

test('no message is shown in English words without vscode.l10n.t', () => {
  const shown = callsOf(/^vscode\.window\.show(Information|Warning|Error)Message$|^vscode\.window\.showQuickPick$/);
  const literal = shown.flatMap(({ file, line, call }) => {
    const first = call.arguments[0];
    const text = ts.isStringLiteralLike(first) ? first.text : ts.isTemplateExpression(first) ? [first.head, ...first.templateSpans.map((s) => s.literal)].map((p) => p.text).join(' ') : '';
    return /[A-Za-z]{2,}/.test(text.replace(/K230/g, '')) ? [`${file}:${line}`] : [];
  });
  assert.deepEqual(literal, []);
});
