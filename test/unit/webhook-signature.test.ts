// The webhook signature (Stripe's scheme): what a receiver checks. Each refusal below is a check
// that verifySignature makes; removing it makes its case pass verification.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSignatureHeader, signatureHeader, signPayload, verifySignature } from '../../core/webhooks/signature.ts';
import { checkWebhookUrl, WebhookInputError } from '../../core/webhooks/webhook-url.ts';
import { webhookEventOf } from '../../core/infra/webhook-events.ts';
import { retryDelayMs } from '../../workflows/webhook-delivery-contracts.ts';

const secret = 'whsec_test-secret';
const body = '{"id":"e1","type":"user.created"}';
const now = 1_760_000_000;

describe('webhook signature', () => {
  it('is the hex HMAC-SHA256 of "<t>.<body>" under t=,v1=', () => {
    const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    expect(signPayload(secret, now, body)).toBe(expected);
    expect(signatureHeader(secret, now, body)).toBe(`t=${now},v1=${expected}`);
  });

  it('verifies a fresh signature of the exact body', () => {
    expect(verifySignature(secret, signatureHeader(secret, now, body), body, { nowS: now + 10 })).toBe(true);
  });

  it('refuses another body, another secret, and a timestamp moved without re-signing', () => {
    const header = signatureHeader(secret, now, body);
    expect(verifySignature(secret, header, `${body} `, { nowS: now })).toBe(false);
    expect(verifySignature('whsec_other', header, body, { nowS: now })).toBe(false);
    expect(verifySignature(secret, header.replace(`t=${now}`, `t=${now + 1}`), body, { nowS: now })).toBe(false);
  });

  it('refuses a signature older (or newer) than the tolerance: a replay', () => {
    const header = signatureHeader(secret, now, body);
    expect(verifySignature(secret, header, body, { nowS: now + 301 })).toBe(false);
    expect(verifySignature(secret, header, body, { nowS: now - 301 })).toBe(false);
    expect(verifySignature(secret, header, body, { nowS: now + 3600, toleranceS: 7200 })).toBe(true);
  });

  it('accepts any of several v1 values (secret rotation) and refuses malformed headers without throwing', () => {
    const good = signPayload(secret, now, body);
    expect(verifySignature(secret, `t=${now},v1=${'0'.repeat(64)},v1=${good}`, body, { nowS: now })).toBe(true);
    for (const bad of ['', 'garbage', `v1=${good}`, `t=${now}`, `t=abc,v1=${good}`, `t=${now},v1=${good.slice(2)}`, `t=${now},v1=${good}=x`]) {
      expect(verifySignature(secret, bad, body, { nowS: now }), bad).toBe(false);
    }
    expect(parseSignatureHeader(`t=${now},v0=abc,v1=${good}`)).toEqual({ timestamp: now, signatures: [good] });
    const both = signatureHeader([secret, 'whsec_old'], now, body);
    expect(both).toBe(`t=${now},v1=${good},v1=${signPayload('whsec_old', now, body)}`);
    expect(verifySignature('whsec_old', both, body, { nowS: now })).toBe(true);
  });
});

describe('webhook URL', () => {
  it('requires https except to the local machine, and no credentials or fragment', () => {
    expect(checkWebhookUrl('https://hooks.example.com/x')).toBe('https://hooks.example.com/x');
    expect(checkWebhookUrl('http://localhost:8080/h')).toBe('http://localhost:8080/h');
    expect(checkWebhookUrl('http://127.0.0.1:9/h')).toBe('http://127.0.0.1:9/h');
    for (const [url, message] of [
      ['http://hooks.example.com/x', /must use https/], ['http://127.0.0.2/x', /must use https/], ['ftp://x.example/', /https/],
      ['https://u:p@x.example/', /credentials/], ['https://x.example/#f', /fragment/], ['not a url', /absolute URL/],
    ] as const) {
      expect(() => checkWebhookUrl(url), url).toThrow(WebhookInputError);
      expect(() => checkWebhookUrl(url), url).toThrow(message);
    }
  });
});

describe('webhook events of audit events', () => {
  it('maps admin actions and journey outcomes, and nothing else', () => {
    expect(webhookEventOf({ tenant: 't', type: 'admin.users.create', actor: 'admin:ops', subject: 'u1', data: { username: 'ann', status: 'active', password: true } }))
      .toEqual({ type: 'user.created', data: { user: 'u1', actor: 'admin:ops', via: 'admin', status: 'active' } });
    expect(webhookEventOf({ tenant: 't', type: 'admin.users.update', subject: 'u1', data: { changed: ['status'], status: 'disabled' } })?.type).toBe('user.disabled');
    expect(webhookEventOf({ tenant: 't', type: 'admin.users.update', subject: 'u1', data: { changed: ['name'] } })).toBeUndefined();
    expect(webhookEventOf({ tenant: 't', type: 'journey.succeeded', subject: 'u1', journeyId: 'j', data: { kind: 'login', tree: 'login' } }))
      .toEqual({ type: 'login.succeeded', data: { user: 'u1', journey: 'j', tree: 'login' } });
    expect(webhookEventOf({ tenant: 't', type: 'journey.succeeded', data: { kind: 'registration', tree: 'registration' } })).toBeUndefined();
    expect(webhookEventOf({ tenant: 't', type: 'login.password_failed', data: { ip: '10.0.0.1', node: 'password' } }))
      .toEqual({ type: 'login.failed', data: { reason: 'wrong_password' } });
    expect(webhookEventOf({ tenant: 't', type: 'admin.users.end-sessions', subject: 'u1', data: { sessionsEnded: 2 } }))
      .toEqual({ type: 'session.ended', data: { user: 'u1', by: 'admin', count: 2 } });
    expect(webhookEventOf({ tenant: 't', type: 'admin.users.end-sessions', subject: 'u1', data: { sessionsEnded: 0 } })).toBeUndefined();
    expect(webhookEventOf({ tenant: 't', type: 'logout.backchannel_delivered' })).toBeUndefined();
    expect(webhookEventOf({ tenant: 't', type: 'toString' })).toBeUndefined();
  });
});

describe('retry delays', () => {
  it('double from the base and stop growing at an hour', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(10_000, n))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(retryDelayMs(10_000, 40)).toBe(3_600_000);
  });
});
