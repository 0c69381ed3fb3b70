// The benches' arithmetic, one way for all: figures rounded as the results print them, means,
// medians and percentiles (the one percentile is test/support/percentile.ts's, shared with the tests).
import { percentile } from '../test/support/percentile';

export { percentile };

/** `v` to `places` decimals (typed so that `.map(round)` cannot pass an index for them). */
export function round(v: number, places: 1 | 2 | 3 = 1): number {
  const scale = 10 ** places;
  return Math.round(v * scale) / scale;
}

export const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

/** The 50th percentile: the middle value of an odd count (the benches take 3 rounds). */
export const median = (v: number[]): number => percentile(v, 50);

/** Median, 95th percentile and how many, each rounded to 0.1: the shape of a latency figure. */
export interface Percentiles {
  p50: number;
  p95: number;
  n: number;
}

export const percentiles = (v: number[]): Percentiles => ({ p50: round(percentile(v, 50)), p95: round(percentile(v, 95)), n: v.length });

/** Median, 95th percentile and the worst, each rounded to 0.1. */
export interface PercentilesAndMax {
  p50: number;
  p95: number;
  max: number;
}

export const percentilesAndMax = (v: number[]): PercentilesAndMax => ({ p50: round(percentile(v, 50)), p95: round(percentile(v, 95)), max: round(Math.max(...v)) });
