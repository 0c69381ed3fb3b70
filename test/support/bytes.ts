// Bytes as tests write them: hex, ASCII text, pieces joined.

/** The bytes a hex string spells; spaces between them are for the reader and are ignored. */
export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'));

/** Each unit as hex, for comparing lists of NAL units and payloads in a readable failure. */
export const hexOf = (units: Uint8Array[]): string[] => units.map((u) => Buffer.from(u).toString('hex'));

export const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The pieces one after another, as a plain Uint8Array (never a Buffer, which deepStrictEqual tells apart). */
export const concat = (parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));
