// The top-level boxes of an MP4 file, read header by header without loading the media: whether it is fragmented
// and whether a player finds the moov before the mdat.
import * as fs from 'node:fs';
import { findChild } from '../../shared/mp4-boxes';
import { UserError } from '../../shared/user-error';
import { openForReading } from './mp4-files';

export interface Mp4Layout {
  bytes: number;
  /** moof boxes, or an mvex in the moov: samples are described fragment by fragment */
  fragmented: boolean;
  /** the moov comes before the first mdat (true when there is no mdat) */
  moovBeforeMdat: boolean;
  moofCount: number;
}

export interface TopLevelBox {
  type: string;
  /** offset in the file of the box header */
  start: number;
  size: number;
}

/**
 * Every top-level box of the open file, checked as it is read: the reasons a file is no MP4, or a damaged
 * or truncated one, are the messages here whichever tool reads it.
 */
export function* topLevelBoxes(file: string, fd: number): Generator<TopLevelBox> {
  const bytes = fs.fstatSync(fd).size;
  if (bytes === 0) throw new UserError(`${file} is empty`);
  const head = Buffer.alloc(16);
  for (let at = 0; at < bytes; ) {
    const got = fs.readSync(fd, head, 0, 16, at);
    if (got < 8) throw new UserError(`${file} is not an MP4: ${bytes - at} stray bytes at its end`);
    let size = head.readUInt32BE(0);
    const type = head.toString('latin1', 4, 8);
    if (at === 0 && type !== 'ftyp' && type !== 'styp') throw new UserError(`${file} is not an MP4 (it does not begin with an ftyp box)`);
    if (size === 1) size = got === 16 ? Number(head.readBigUInt64BE(8)) : 0;
    else if (size === 0) size = bytes - at; // the box runs to the end of the file
    if (size < 8) throw new UserError(`${file} is not a valid MP4: box "${type}" at byte ${at} has a bad size`);
    if (at + size > bytes) throw new UserError(`${file} is truncated: box "${type}" at byte ${at} runs past the end of the file`);
    yield { type, start: at, size };
    at += size;
  }
}

/** The whole box, read into memory (for moov and moof: small beside the media). */
export function readBox(fd: number, b: TopLevelBox): Buffer {
  const bytes = Buffer.alloc(b.size);
  fs.readSync(fd, bytes, 0, b.size, b.start);
  return bytes;
}

export function readMp4Layout(file: string): Mp4Layout {
  const fd = openForReading(file);
  try {
    let moov: TopLevelBox | undefined;
    let firstMdat = -1;
    let moofCount = 0;
    let bytes = 0;
    for (const b of topLevelBoxes(file, fd)) {
      if (b.type === 'moov' && !moov) moov = b;
      else if (b.type === 'mdat' && firstMdat === -1) firstMdat = b.start;
      else if (b.type === 'moof') moofCount++;
      bytes = b.start + b.size;
    }
    if (!moov) throw new UserError(`${file} has no moov box: no player can read it`);
    const moovBytes = readBox(fd, moov);
    return {
      bytes,
      fragmented: moofCount > 0 || findChild(moovBytes, 8, moov.size, 'mvex') !== undefined,
      moovBeforeMdat: firstMdat === -1 || moov.start < firstMdat,
      moofCount,
    };
  } finally {
    fs.closeSync(fd);
  }
}

/** Whether the file starts like an MP4 (an ftyp box), for commands that take either MP4 or raw video. */
export function looksLikeMp4(file: string): boolean {
  const fd = openForReading(file);
  try {
    const head = Buffer.alloc(8);
    return fs.readSync(fd, head, 0, 8, 0) === 8 && head.toString('latin1', 4, 8) === 'ftyp';
  } finally {
    fs.closeSync(fd);
  }
}
