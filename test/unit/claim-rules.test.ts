// Client claim rules: rename, add (constant or template), remove, in order; `sub` and protocol
// claims untouchable; templates substitute and never evaluate.
import { describe, expect, it } from 'vitest';
import { applyClaimRules, ClaimRules, renderClaimTemplate, type ClaimRule } from '../../core/oidc/claim-rules.ts';

const claims = { sub: 'u1', name: 'Ann Lee', email: 'ann@example.org', phone_number: '+301234', address: { locality: 'Athens' } };

describe('applyClaimRules', () => {
  it('renames, adds a constant and removes', () => {
    const rules = ClaimRules.parse([
      { rename: { from: 'email', to: 'mail' } },
      { add: { claim: 'tenant', value: 'acme' } },
      { remove: 'phone_number' },
    ]);
    expect(applyClaimRules(claims, rules)).toEqual({
      sub: 'u1', name: 'Ann Lee', mail: 'ann@example.org', tenant: 'acme', address: { locality: 'Athens' },
    });
  });

  it('leaves its input unchanged', () => {
    const input = { ...claims };
    applyClaimRules(input, ClaimRules.parse([{ remove: 'email' }, { rename: { from: 'name', to: 'cn' } }]));
    expect(input).toEqual(claims);
  });

  it('fills templates from the claims, missing ones empty, and the context', () => {
    const rules = ClaimRules.parse([
      { add: { claim: 'display', template: '{{name}} <{{ email }}>' } },
      { add: { claim: 'where', template: '{{address.locality}}/{{address.missing}}/{{nope}}' } },
      { add: { claim: 'origin', template: '{{$tenant}}:{{$client_id}}' } },
    ]);
    expect(applyClaimRules(claims, rules, { tenant: 'acme', clientId: 'app' })).toMatchObject({
      display: 'Ann Lee <ann@example.org>', where: 'Athens//', origin: 'acme:app',
    });
  });

  it('applies rules in order', () => {
    const renameThenTemplate = ClaimRules.parse([
      { rename: { from: 'email', to: 'mail' } },
      { add: { claim: 'display', template: '{{email}}|{{mail}}' } },
    ]);
    expect(applyClaimRules(claims, renameThenTemplate).display).toBe('|ann@example.org');
    const removeThenRename = ClaimRules.parse([{ remove: 'email' }, { rename: { from: 'email', to: 'mail' } }]);
    expect(applyClaimRules(claims, removeThenRename)).not.toHaveProperty('mail');
  });

  it('never evaluates a template', () => {
    const rules = ClaimRules.parse([{ add: { claim: 'x', template: '{{constructor}}{{__proto__}}{{ name.constructor }}${1+1}{{1+1}}' } }]);
    expect(applyClaimRules(claims, rules).x).toBe('${1+1}');
    expect(renderClaimTemplate('{{toString}}', {})).toBe('');
  });

  it('never renames, removes or overwrites sub or protocol claims, even with unvalidated rules', () => {
    const rules = [
      { rename: { from: 'sub', to: 'user' } },
      { rename: { from: 'email', to: 'sub' } },
      { add: { claim: 'sub', value: 'admin' } },
      { add: { claim: 'aud', value: 'other' } },
      { remove: 'sub' },
      { remove: 'acr' },
      { add: { claim: '__proto__', value: { polluted: true } } },
    ] as ClaimRule[];
    const out = applyClaimRules({ ...claims, acr: 'gold' }, rules);
    expect(out).toMatchObject({ sub: 'u1', email: 'ann@example.org', acr: 'gold' });
    expect(out).not.toHaveProperty('user');
    expect(out).not.toHaveProperty('aud');
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('ClaimRules schema', () => {
  it('refuses rules touching sub or protocol claims, naming the claim', () => {
    for (const rule of [
      { rename: { from: 'sub', to: 'x' } }, { rename: { from: 'x', to: 'sub' } }, { add: { claim: 'sub', value: 'a' } },
      { remove: 'sub' }, { remove: 'nonce' }, { add: { claim: 'iss', template: 'x' } },
    ]) {
      const parsed = ClaimRules.safeParse([rule]);
      expect(parsed.success, JSON.stringify(rule)).toBe(false);
    }
    expect(ClaimRules.safeParse([{ remove: 'sub' }]).error?.issues[0]?.message).toBe('"sub" is a protected claim');
  });

  it('refuses malformed rules', () => {
    for (const rules of [
      [{ rename: { from: 'a' } }], [{ add: { claim: 'a' } }], [{ add: { claim: 'a', value: 1, template: 'x' } }],
      [{ remove: '' }], [{ remove: 'has space' }], [{ drop: 'a' }], [{ remove: 'a', add: { claim: 'b', value: 1 } }],
      [{ add: { claim: 'a', value: 'x'.repeat(5000) } }], [{ add: { claim: 'a', template: 'x'.repeat(501) } }],
      Array.from({ length: 51 }, () => ({ remove: 'a' })), 'not a list',
    ]) {
      expect(ClaimRules.safeParse(rules).success, JSON.stringify(rules).slice(0, 80)).toBe(false);
    }
  });

  it('accepts JSON constants and URI claim names', () => {
    expect(ClaimRules.safeParse([
      { add: { claim: 'https://example.org/roles', value: ['a', 'b'] } },
      { add: { claim: 'flags', value: { beta: true, level: 2 } } },
    ]).success).toBe(true);
  });
});
