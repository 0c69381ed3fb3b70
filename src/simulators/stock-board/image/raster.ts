// An outline (a glyph's path: moves, lines, quadratic and cubic Béziers, in pixels, y down) to an
// anti-aliased coverage bitmap, by exact area: each edge, cut at every row and column it crosses,
// adds to a cell what of that cell lies right of it (signed by the edge's direction) and to the
// next cell the rest; a running sum along each row then gives every pixel's covered fraction
// (non-zero winding, clamped to 1). Curves are cut into lines fine enough at the size drawn.

export interface PathCommand {
  type: string; // 'M' | 'L' | 'Q' | 'C' | 'Z'
  x?: number;
  y?: number;
  x1?: number;
  y1?: number;
  x2?: number;
  y2?: number;
}

export interface Coverage {
  /** offset of the bitmap's top-left from the outline's origin, in whole pixels */
  left: number;
  top: number;
  width: number;
  height: number;
  /** 0..255 a pixel, row by row */
  alpha: Uint8Array;
}

/** how far a flattened curve may stray from the true one, in pixels */
const TOLERANCE = 0.1;

/** The outline as closed polylines: [x0, y0, x1, y1, ...] each. */
function flatten(commands: PathCommand[]): number[][] {
  const out: number[][] = [];
  let poly: number[] = [];
  let x = 0;
  let y = 0;
  let startX = 0;
  let startY = 0;
  const close = () => {
    if (poly.length >= 4) {
      poly.push(startX, startY);
      out.push(poly);
    }
    poly = [];
  };
  for (const c of commands) {
    if (c.type === 'M') {
      close();
      x = startX = c.x!;
      y = startY = c.y!;
      poly.push(x, y);
    } else if (c.type === 'L') {
      x = c.x!;
      y = c.y!;
      poly.push(x, y);
    } else if (c.type === 'Q') {
      const bend = Math.hypot(x - 2 * c.x1! + c.x!, y - 2 * c.y1! + c.y!);
      const n = Math.max(1, Math.ceil(Math.sqrt(bend / (8 * TOLERANCE))));
      for (let i = 1; i <= n; i++) {
        const t = i / n;
        const s = 1 - t;
        poly.push(s * s * x + 2 * s * t * c.x1! + t * t * c.x!, s * s * y + 2 * s * t * c.y1! + t * t * c.y!);
      }
      x = c.x!;
      y = c.y!;
    } else if (c.type === 'C') {
      const bend = Math.max(Math.hypot(x - 2 * c.x1! + c.x2!, y - 2 * c.y1! + c.y2!), Math.hypot(c.x1! - 2 * c.x2! + c.x!, c.y1! - 2 * c.y2! + c.y!));
      const n = Math.max(1, Math.ceil(Math.sqrt((6 * bend) / (8 * TOLERANCE))));
      for (let i = 1; i <= n; i++) {
        const t = i / n;
        const s = 1 - t;
        poly.push(
          s * s * s * x + 3 * s * s * t * c.x1! + 3 * s * t * t * c.x2! + t * t * t * c.x!,
          s * s * s * y + 3 * s * s * t * c.y1! + 3 * s * t * t * c.y2! + t * t * t * c.y!,
        );
      }
      x = c.x!;
      y = c.y!;
    } else if (c.type === 'Z') {
      close();
      x = startX;
      y = startY;
    }
  }
  close();
  return out;
}

/** Adds one edge, already in bitmap coordinates, to the area sums `acc` (rows of width + 2 cells). */
function addEdge(acc: Float32Array, rowCells: number, rows: number, xa: number, ya: number, xb: number, yb: number): void {
  if (ya === yb) return;
  const sign = ya < yb ? 1 : -1;
  if (sign < 0) {
    [xa, xb] = [xb, xa];
    [ya, yb] = [yb, ya];
  }
  const slope = (xb - xa) / (yb - ya);
  for (let row = Math.max(0, Math.floor(ya)); row < rows && row < yb; row++) {
    const top = Math.max(ya, row);
    const bottom = Math.min(yb, row + 1);
    if (bottom <= top) continue;
    let u0 = xa + (top - ya) * slope;
    let u1 = xa + (bottom - ya) * slope;
    const height = (bottom - top) * sign;
    if (u0 > u1) [u0, u1] = [u1, u0];
    const line = row * rowCells;
    if (u1 - u0 < 1e-9) {
      put(acc, line, u0, u0, height);
      continue;
    }
    // the piece of this row, cut where it crosses a column boundary; each part's height is its share of the width
    for (let c = Math.floor(u0); c < u1; c++) {
      const p0 = Math.max(u0, c);
      const p1 = Math.min(u1, c + 1);
      if (p1 > p0) put(acc, line, p0, p1, (height * (p1 - p0)) / (u1 - u0));
    }
  }
}

/** An edge part within one cell, from x = p0 to p1, `h` high: its cell gets the area right of it, the next the rest. */
function put(acc: Float32Array, line: number, p0: number, p1: number, h: number): void {
  const c = Math.floor(p0 === p1 ? p0 : Math.min(p0, p1));
  const right = c + 1 - (p0 + p1) / 2;
  acc[line + c] += h * right;
  acc[line + c + 1] += h * (1 - right);
}

export function rasterise(commands: PathCommand[]): Coverage {
  const polys = flatten(commands);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of polys) {
    for (let i = 0; i < p.length; i += 2) {
      minX = Math.min(minX, p[i]);
      maxX = Math.max(maxX, p[i]);
      minY = Math.min(minY, p[i + 1]);
      maxY = Math.max(maxY, p[i + 1]);
    }
  }
  if (!polys.length || maxX <= minX || maxY <= minY) return { left: 0, top: 0, width: 0, height: 0, alpha: new Uint8Array(0) };
  const left = Math.floor(minX);
  const top = Math.floor(minY);
  const width = Math.ceil(maxX) - left;
  const height = Math.ceil(maxY) - top;
  const rowCells = width + 2;
  const acc = new Float32Array(rowCells * height);
  for (const p of polys) {
    for (let i = 0; i + 3 < p.length; i += 2) addEdge(acc, rowCells, height, p[i] - left, p[i + 1] - top, p[i + 2] - left, p[i + 3] - top);
  }
  const alpha = new Uint8Array(width * height);
  for (let row = 0; row < height; row++) {
    let sum = 0;
    for (let col = 0; col < width; col++) {
      sum += acc[row * rowCells + col];
      const a = Math.abs(sum);
      alpha[row * width + col] = a >= 1 ? 255 : Math.round(a * 255);
    }
  }
  return { left, top, width, height, alpha };
}
