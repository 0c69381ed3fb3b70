// The simulated board's one font: DejaVu Sans from the machine's fonts (Debian's fonts-dejavu-core),
// read once with opentype.js, each glyph rasterised once per pixel size and kept. The firmware
// draws in the TrueType font its freetype_wrap.c opens (SourceHanSansSC on the card by default);
// the simulator has no such file to open, so every size and any font= come out in DejaVu Sans.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, type Font } from 'opentype.js';
import { rasterise, type Coverage } from './raster';

/** Where DejaVu Sans is looked for, in order: Debian and Ubuntu first (the path errors name). */
const DEFAULT_FONT_PATHS = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/local/share/fonts/DejaVuSans.ttf',
  ...(process.env.HOME ? [path.join(process.env.HOME, 'Library', 'Fonts', 'DejaVuSans.ttf'), path.join(process.env.HOME, '.local', 'share', 'fonts', 'DejaVuSans.ttf')] : []),
  ...(process.env.LOCALAPPDATA ? [path.join(process.env.LOCALAPPDATA, 'Microsoft', 'Windows', 'Fonts', 'DejaVuSans.ttf')] : []),
  ...(process.env.WINDIR ? [path.join(process.env.WINDIR, 'Fonts', 'DejaVuSans.ttf')] : []),
];

export interface Glyph extends Coverage {
  /** how far the pen moves after it, whole pixels (FreeType's hinted advance is whole too) */
  advance: number;
}

/** glyphs kept at most; a script that animates its text size starts the cache again past this */
const MAX_GLYPHS = 4096;

let fontPaths = DEFAULT_FONT_PATHS;
let font: Font | undefined;
const glyphs = new Map<string, Glyph>();

/** Where the font is looked for (tests point it at nothing to see the error). */
export function setFontPaths(paths: string[] | undefined): void {
  fontPaths = paths ?? DEFAULT_FONT_PATHS;
  font = undefined;
  glyphs.clear();
}

/** The font, or the one-line error the script gets (as an OSError) when there is none. */
export function loadFont(): Font | string {
  if (font) return font;
  const file = fontPaths.find((p) => fs.existsSync(p));
  if (!file) return `Open font ${fontPaths[0] ?? 'DejaVuSans.ttf'} failed (the simulated board draws text in DejaVu Sans: install fonts-dejavu-core)`;
  const bytes = fs.readFileSync(file);
  font = parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
  return font;
}

/** One character's coverage at `size` pixels to the em, placed from the pen on the baseline. */
export function glyphOf(f: Font, ch: string, size: number): Glyph {
  const key = `${size}|${ch}`;
  let g = glyphs.get(key);
  if (!g) {
    const outline = f.charToGlyph(ch);
    const coverage = rasterise(outline.getPath(0, 0, size).commands);
    g = { ...coverage, advance: Math.round(((outline.advanceWidth ?? 0) * size) / f.unitsPerEm) };
    if (glyphs.size >= MAX_GLYPHS) glyphs.clear();
    glyphs.set(key, g);
  }
  return g;
}
