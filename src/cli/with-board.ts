// Connects for one command and always disconnects after it.
import { connectBoard } from '../host/board/connect';
import { UserError } from '../shared/user-error';
import type { BoardSession } from '../host/session/board-session';

export async function withBoard<T>(port: string | undefined, run: (session: BoardSession) => Promise<T>): Promise<T> {
  if (!port) throw new UserError('this command needs --port PATH (see k230live ports)');
  const session = await connectBoard(port);
  try {
    return await run(session);
  } finally {
    await session.disconnect();
  }
}
