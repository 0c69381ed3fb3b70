import * as zlib from 'node:zlib';
import { crc32 } from '../../protocol/crc32';
import type { Crc32 } from '../../protocol/framing';

/**
 * zlib's CRC-32 (the same IEEE polynomial as the agent's), native: the JS table one was 17 % of a
 * pull's host time. Node has it from 20.15; older extension hosts (VS Code before 1.97) use ours.
 */
export const frameCrc32: Crc32 =
  typeof zlib.crc32 === 'function' ? (bytes, start, end, crc = 0) => zlib.crc32(bytes.subarray(start, end), crc) : crc32;
