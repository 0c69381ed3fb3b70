// Maps the board's clock onto the host's by round trips, as NTP does: the sample with the
// shortest round trip bounds the error best. Works the same with a real board: no shared clock assumed.
import type { BoardSession } from './board-session';

export interface ClockOffset {
  /** host time = board time + offsetUs (host time: ms since the epoch, in µs) */
  offsetUs: bigint;
  /** the round trip of the sample used: the offset is good to half of it */
  rttUs: bigint;
}

export async function estimateClockOffset(session: BoardSession, samples = 8): Promise<ClockOffset> {
  let best: ClockOffset | undefined;
  for (let i = 0; i < samples; i++) {
    const p = await session.ping();
    const rttUs = p.receivedUs - p.sentUs;
    const offsetUs = (p.sentUs + p.receivedUs) / 2n - p.boardUs;
    if (!best || rttUs < best.rttUs) best = { offsetUs, rttUs };
  }
  return best!;
}

export function boardToHostMs(boardUs: bigint, clock: ClockOffset): number {
  return Number(boardUs + clock.offsetUs) / 1000;
}
