import { describe, expect, it } from 'vitest';
import { deallocateMessage, parsedStatementNames, PreparedStatementLedger } from '../../core/infra/pglite-prepared-statements.ts';

/** A Parse message naming `name` (empty: the unnamed statement), no parameter types. */
function parse(name: string, sql: string): Buffer {
  const body = Buffer.concat([Buffer.from(`${name}\0${sql}\0`), Buffer.from([0, 0])]);
  const head = Buffer.alloc(5);
  head[0] = 0x50;
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}
const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);
const BIND_P = Buffer.from([0x42, 0, 0, 0, 14, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // a Bind whose portal name byte is 'P'

describe('parsedStatementNames', () => {
  it('lists the named Parse messages of a run and skips unnamed ones and other messages', () => {
    const run = new Uint8Array(Buffer.concat([parse('abc1', 'SELECT 1'), BIND_P, parse('', 'SELECT 2'), parse('abc2', 'SELECT $1'), SYNC]));
    expect(parsedStatementNames(run)).toEqual(['abc1', 'abc2']);
  });

  it('reads a run that is a view into a larger buffer', () => {
    const whole = Buffer.concat([Buffer.from('xxxx'), parse('s9', 'SELECT 9'), SYNC]);
    expect(parsedStatementNames(new Uint8Array(whole.buffer, whole.byteOffset + 4, whole.length - 4))).toEqual(['s9']);
  });

  it('stops at a malformed length instead of looping', () => {
    expect(parsedStatementNames(new Uint8Array([0x50, 0, 0, 0, 0, 0x41]))).toEqual([]);
  });
});

describe('deallocateMessage', () => {
  it('is one simple Query message with the name quoted', () => {
    const message = Buffer.from(deallocateMessage('a"b'));
    expect(message[0]).toBe(0x51);
    expect(message.readInt32BE(1)).toBe(message.length - 1);
    expect(message.subarray(5).toString()).toBe('DEALLOCATE "a""b"\0');
  });
});

describe('PreparedStatementLedger', () => {
  it('keeps names per connection and hands them out once when the connection goes', () => {
    const ledger = new PreparedStatementLedger();
    ledger.note(1, new Uint8Array(Buffer.concat([parse('a1', 'SELECT 1'), SYNC])));
    ledger.note(1, new Uint8Array(Buffer.concat([parse('a2', 'SELECT 2'), SYNC])));
    ledger.note(2, new Uint8Array(Buffer.concat([parse('b1', 'SELECT 1'), SYNC])));
    ledger.note(3, new Uint8Array(Buffer.concat([BIND_P, SYNC])));
    expect(ledger.connections).toBe(2);
    expect(ledger.forget(1).sort()).toEqual(['a1', 'a2']);
    expect(ledger.forget(1)).toEqual([]);
    expect(ledger.forget(2)).toEqual(['b1']);
    expect(ledger.connections).toBe(0);
  });
});
