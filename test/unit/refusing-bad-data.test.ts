// A module call that the database refuses as data (SQLSTATE class 22: a NUL byte is 22021, a bad
// number 22P02) becomes a non-retryable InvalidInput failure naming only the SQLSTATE, so the
// journey ends with `invalid_input` instead of retrying; every other error is left to the
// journey's bounded retries.
import { ApplicationFailure } from '@temporalio/common';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { refusingBadData } from '../../activities/journey.ts';
import { FailureTypes } from '../../core/journeys/journey-types.ts';

const refused = (code: string) => new postgres.PostgresError({ message: 'invalid byte sequence for encoding "UTF8": 0x00 in "a\u0000b"', code } as never);

async function failureOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('did not fail');
}

describe('refusingBadData', () => {
  it.each(['22021', '22P02', '22001'])('turns a data error (%s) into a non-retryable invalid-input failure without the value', async (code) => {
    const err = await failureOf(() => refusingBadData(() => Promise.reject(refused(code))));
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: FailureTypes.invalidInput, nonRetryable: true });
    expect((err as Error).message).toContain(code);
    expect((err as Error).message).not.toContain('a\u0000b');
  });

  it('leaves other errors as they were: retried a bounded number of times by the journey', async () => {
    for (const original of [refused('23505'), refused('08006'), new Error('22021 in a message is not a SQLSTATE')]) {
      expect(await failureOf(() => refusingBadData(() => Promise.reject(original)))).toBe(original);
    }
  });

  it('answers what the call answered', async () => {
    expect(await refusingBadData(async () => 'ok')).toBe('ok');
  });
});
