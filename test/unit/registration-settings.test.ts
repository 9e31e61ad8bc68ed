// Registration policy and password rules: how a new account becomes active, what a settings
// patch may change, and which new passwords are refused.
import { describe, expect, it } from 'vitest';
import { activationPolicy, DEFAULT_REGISTRATION, RegistrationSettings } from '../../core/registration/registration-settings.ts';
import { isBreachedPassword, newPasswordProblem } from '../../core/registration/password-policy.ts';

describe('activationPolicy', () => {
  const moderated = RegistrationSettings.parse({ moderation: { enabled: true }, autoVerify: ['@example\\.org$'] });

  it('activates invited accounts at once, whatever else is set', () => {
    expect(activationPolicy(moderated, 'x@elsewhere.com', true)).toBe('invited');
  });

  it('only asks auto-verify addresses to verify, case-insensitively', () => {
    expect(activationPolicy(moderated, 'Ann@EXAMPLE.org', false)).toBe('verify');
    expect(activationPolicy(moderated, 'ann@example.org.evil.com', false)).toBe('moderation');
  });

  it('verifies everyone when moderation is off', () => {
    expect(activationPolicy(DEFAULT_REGISTRATION, 'x@elsewhere.com', false)).toBe('verify');
  });
});

describe('RegistrationSettings', () => {
  it('refuses broken patterns, durations and password lengths below 8', () => {
    expect(RegistrationSettings.safeParse({ autoVerify: ['('] }).success).toBe(false);
    expect(RegistrationSettings.safeParse({ moderation: { deadline: 'soon' } }).success).toBe(false);
    expect(RegistrationSettings.safeParse({ password: { minLength: 6 } }).success).toBe(false);
    expect(RegistrationSettings.safeParse({ unknown: true }).success).toBe(false);
  });

  it('fills every default', () => {
    expect(DEFAULT_REGISTRATION).toMatchObject({
      enabled: true, verificationTtl: '24h', moderation: { enabled: false, reminderAfter: '2d', deadline: '7d' },
      password: { minLength: 8, breachedCheck: true }, invitations: { ttl: '7d', usersMayInvite: false },
    });
  });
});

describe('newPasswordProblem', () => {
  const rules = DEFAULT_REGISTRATION.password;

  it('refuses short, breached (any case) and own-email passwords', () => {
    expect(newPasswordProblem('short', rules)).toMatch(/at least 8/);
    expect(newPasswordProblem('Password1', rules)).toMatch(/breached/);
    expect(newPasswordProblem('iloveyou', rules)).toMatch(/breached/);
    expect(newPasswordProblem('ann.lee.2024@x.org', rules, 'Ann.Lee.2024@x.org')).toMatch(/email/);
    expect(newPasswordProblem('ann.lee.2024x', rules, 'ann.lee.2024x@x.org')).toMatch(/email/);
  });

  it('accepts a long passphrase and honours the tenant switches', () => {
    expect(newPasswordProblem('violet staple orbit 42', rules)).toBeUndefined();
    expect(newPasswordProblem('Password1', { ...rules, breachedCheck: false })).toBeUndefined();
    expect(newPasswordProblem('twelve chars', { ...rules, minLength: 15 })).toMatch(/at least 15/);
  });

  it('knows tens of thousands of breached passwords', () => {
    expect(isBreachedPassword('123456')).toBe(true);
    expect(isBreachedPassword('qwertyuiop')).toBe(true);
    expect(isBreachedPassword('violet staple orbit 42')).toBe(false);
  });
});
