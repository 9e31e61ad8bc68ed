// Named prepared statements on the embedded database. Every client connection shares PGlite's one
// backend (one session), so a statement a connection prepares by name outlives the connection:
// without this, each reconnect (postgres.js closes idle connections after 30 s and every
// connection after its max lifetime) would leave its statements, and their cached plans, in
// PGlite's memory for good. Names cannot collide between connections: postgres.js names a
// connection's statements with a random prefix of its own.
// Here the names each connection's Parse messages created are kept per connection, and when the
// connection goes they are deallocated, one `DEALLOCATE` per name queued behind whatever the other
// connections have queued (pglite-serial-protocol.ts calls note() and forget()).

const PARSE = 0x50;
const QUERY = 0x51;

/** The statement names of the named Parse messages in `run`, a concatenation of complete wire messages. */
export function parsedStatementNames(run: Uint8Array): string[] {
  const names: string[] = [];
  const view = new DataView(run.buffer, run.byteOffset, run.byteLength);
  let at = 0;
  while (at + 5 <= run.length) {
    const type = run[at]!;
    const length = view.getInt32(at + 1);
    if (length < 4) break;
    if (type === PARSE) {
      const start = at + 5;
      const end = run.indexOf(0, start);
      if (end > start && end <= at + length) names.push(Buffer.from(run.buffer, run.byteOffset + start, end - start).toString('utf8'));
    }
    at += 1 + length;
  }
  return names;
}

/** A simple-protocol Query message deallocating `name`. */
export function deallocateMessage(name: string): Uint8Array {
  const sql = Buffer.from(`DEALLOCATE "${name.replaceAll('"', '""')}"\0`, 'utf8');
  const message = Buffer.alloc(5 + sql.length);
  message[0] = QUERY;
  message.writeInt32BE(4 + sql.length, 1);
  sql.copy(message, 5);
  return new Uint8Array(message);
}

/** The statements each connection (by pglite-socket's handler id) prepared by name. */
export class PreparedStatementLedger {
  readonly #names = new Map<number, Set<string>>();

  /** Records the named statements `run` prepared for `handlerId` (called after PGlite served it). */
  note(handlerId: number, run: Uint8Array): void {
    if (!run.includes(PARSE)) return;
    const names = parsedStatementNames(run);
    if (names.length === 0) return;
    let held = this.#names.get(handlerId);
    if (!held) this.#names.set(handlerId, (held = new Set()));
    for (const name of names) held.add(name);
  }

  /** The names `handlerId` prepared, forgotten here: its connection is gone. */
  forget(handlerId: number): string[] {
    const held = this.#names.get(handlerId);
    this.#names.delete(handlerId);
    return held ? [...held] : [];
  }

  /** How many connections have statements recorded (for tests). */
  get connections(): number {
    return this.#names.size;
  }
}
