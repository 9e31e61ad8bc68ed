import { describe, expect, it } from 'vitest';
import { matchTotp, newTotpSecret, totpCode } from '../../core/accounts/totp.ts';

describe('totp', () => {
  it('accepts the current code and one step of drift, not more', () => {
    const secret = newTotpSecret();
    const now = 1_800_000_000_000;
    const counter = Math.floor(now / 30_000);
    expect(matchTotp(secret, totpCode(secret, now), now)).toBe(counter);
    expect(matchTotp(secret, totpCode(secret, now - 30_000), now)).toBe(counter - 1);
    expect(matchTotp(secret, totpCode(secret, now + 30_000), now)).toBe(counter + 1);
    expect(matchTotp(secret, totpCode(secret, now - 90_000), now)).toBeUndefined();
    expect(matchTotp(newTotpSecret(), totpCode(secret, now), now)).toBeUndefined();
  });

  it('makes 160-bit secrets', () => {
    expect(newTotpSecret()).toMatch(/^[A-Z2-7]{32}$/);
  });
});
