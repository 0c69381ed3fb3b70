// Requests with replies over a message channel that has none (postMessage): each request carries
// an id, and every request gets exactly one reply with that id, its result or its error. Typed by
// a map of method -> { params, result }; the side that answers must handle every method.

export interface Method {
  params: unknown;
  result: unknown;
}

export type RequestMessage<M extends Record<string, Method>> = {
  [K in keyof M]: { type: 'request'; id: number; method: K; params: M[K]['params'] };
}[keyof M];

export type ReplyMessage = { type: 'reply'; id: number; result: unknown } | { type: 'reply'; id: number; error: string };

export type Handlers<M extends Record<string, Method>> = {
  [K in keyof M]: (params: M[K]['params']) => Promise<M[K]['result']>;
};

/** The asking side: request() resolves with the reply's result, or rejects with its error. */
export class Requester<M extends Record<string, Method>> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly post: (m: RequestMessage<M>) => void) {}

  request<K extends keyof M>(method: K, params: M[K]['params']): Promise<M[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ type: 'request', id, method, params } as RequestMessage<M>);
    });
  }

  /** Settles the request a reply answers; a reply to nothing pending is ignored. */
  settle(reply: ReplyMessage): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if ('error' in reply) p.reject(new Error(reply.error));
    else p.resolve(reply.result);
  }
}

/** The answering side: runs the request's handler and posts its one reply. */
export async function answer<M extends Record<string, Method>>(
  request: RequestMessage<M>,
  handlers: Handlers<M>,
  post: (reply: ReplyMessage) => void,
): Promise<void> {
  try {
    const result = await handlers[request.method](request.params);
    post({ type: 'reply', id: request.id, result });
  } catch (e) {
    post({ type: 'reply', id: request.id, error: (e as Error).message ?? String(e) });
  }
}

/** For the default of a switch that has handled every case: it does not compile when one is missed. */
export function unreachable(x: never): never {
  throw new Error(`unhandled message ${JSON.stringify(x)}`);
}
