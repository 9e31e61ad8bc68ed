// No account enumeration through timing: checking a password of an unknown account costs one
// argon2 verification, like checking a wrong password of a known one.
import { expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../core/accounts/passwords.ts';

async function medianMs(task: () => Promise<unknown>, runs = 15): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await task();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

it('takes about as long for an unknown account as for a wrong password', async () => {
  const stored = await hashPassword('the-real-password');
  await verifyPassword(undefined, 'warm-up'); // builds the dummy hash once
  const wrong = await medianMs(() => verifyPassword(stored, 'a-wrong-password'));
  const unknown = await medianMs(() => verifyPassword(undefined, 'a-wrong-password'));
  expect(unknown / wrong).toBeGreaterThan(0.5);
  expect(unknown / wrong).toBeLessThan(2);
  expect(await verifyPassword(undefined, 'tessera-dummy-password')).toBe(false);
  expect(await verifyPassword(stored, 'the-real-password')).toBe(true);
});
