// The journey's pure state: what the update validator refuses, how patches and routes apply.
import { describe, expect, it } from 'vitest';
import { refusal } from '../support/refusal.ts';
import type { JourneyInput } from '../../core/journeys/journey-types.ts';
import { FailureTypes } from '../../core/journeys/journey-types.ts';
import { JourneyState, MAX_TRANSITIONS, MAX_VISITS_WITHOUT_INPUT } from '../../workflows/journey-state.ts';

const input: JourneyInput = {
  id: 'j'.repeat(32), tenant: 'acme', kind: 'login', tree: 'login', binding: 'b1', idleTimeoutMs: 1000, request: {},
};
const node = { type: 'password', next: { ok: 'success', bad: 'pw' } };
const spec = { type: 'form' as const, title: 'Password', fields: [{ name: 'password', type: 'password' as const, label: 'Password', required: true }] };


describe('JourneyState', () => {
  it('numbers steps per node and carries errors to the next step only', () => {
    const s = new JourneyState(input);
    s.show('pw', spec);
    expect(s.step?.id).toBe('pw#1');
    s.apply('pw', undefined, [{ code: 'invalid_credentials', message: 'Wrong.' }]);
    s.show('pw', spec);
    expect(s.step).toMatchObject({ id: 'pw#2', errors: [{ code: 'invalid_credentials' }] });
    s.show('pw', spec);
    expect(s.step?.errors).toBeUndefined();
  });

  it('refuses a submit for another step, another browser, another tenant or a finished journey', () => {
    const s = new JourneyState(input);
    s.show('pw', spec);
    const ok = { tenant: 'acme', stepId: 'pw#1', binding: 'b1', values: { password: 'x' } };
    expect(refusal(() => s.validateSubmit(ok))).toBeUndefined();
    expect(refusal(() => s.validateSubmit({ ...ok, stepId: 'pw#0' }))).toBe(FailureTypes.staleStep);
    expect(refusal(() => s.validateSubmit({ ...ok, binding: 'b2' }))).toBe(FailureTypes.notFound);
    expect(refusal(() => s.validateSubmit({ ...ok, tenant: 'other' }))).toBe(FailureTypes.notFound);
    expect(refusal(() => s.validateSubmit({ ...ok, values: {} }))).toBe(FailureTypes.invalidInput);
    s.accept(ok);
    expect(refusal(() => s.validateSubmit(ok))).toBe(FailureTypes.staleStep);
    s.takeInput();
    s.expire();
    expect(refusal(() => s.validateSubmit(ok))).toBe(FailureTypes.finished);
  });

  it('applies patches: user set and cleared, amr merged, node state kept per node', () => {
    const s = new JourneyState(input);
    s.apply('id', { login: 'alice', user: { id: 'u1', username: 'alice', status: 'active' } });
    s.apply('pw', { amr: ['pwd'] });
    s.apply('pw', { amr: ['pwd'], nodeState: { secret: 'S' } });
    expect(s.ctx).toMatchObject({ login: 'alice', user: { id: 'u1' }, amr: ['pwd'], nodeState: { pw: { secret: 'S' } } });
    s.apply('pw', { nodeState: null, user: null });
    expect(s.ctx.user).toBeUndefined();
    expect(s.ctx.nodeState).toEqual({});
  });

  it('routes outcomes, refuses unknown ones and stops endless loops', () => {
    const s = new JourneyState(input);
    expect(s.route('pw', node, 'bad')).toBe('pw');
    expect(s.route('pw', node, 'toString')).toBeUndefined();
    for (let i = 0; i < MAX_TRANSITIONS; i++) s.route('pw', node, 'bad');
    expect(s.route('pw', node, 'bad')).toBeUndefined();
  });

  it('stops a loop that shows no step long before the transition budget, and bounds the chain by routesLeft', () => {
    expect(MAX_VISITS_WITHOUT_INPUT).toBeLessThan(MAX_TRANSITIONS);
    const s = new JourneyState(input);
    expect(s.routesLeft).toBe(MAX_VISITS_WITHOUT_INPUT);
    for (let i = 0; i < MAX_VISITS_WITHOUT_INPUT; i++) expect(s.route('pw', node, 'bad'), `route ${i + 1}`).toBe('pw');
    expect(s.routesLeft).toBe(0);
    expect(s.route('pw', node, 'bad')).toBeUndefined();
    expect(s.routesLeft).toBeLessThanOrEqual(0);

    // A step shown starts the count again; the whole journey's budget still runs down.
    const t = new JourneyState(input);
    for (let i = 0; i < MAX_VISITS_WITHOUT_INPUT; i++) t.route('pw', node, 'bad');
    t.show('pw', spec);
    expect(t.routesLeft).toBe(MAX_VISITS_WITHOUT_INPUT);
    expect(t.route('pw', node, 'bad')).toBe('pw');
  });

  it('succeeds only with a user, adding mfa when two factors were used', () => {
    const s = new JourneyState(input);
    s.succeed({ name: 'login', start: 'pw', nodes: {} }, 1000);
    expect(s.status).toBe('failed');
    const t = new JourneyState(input);
    t.apply('pw', { user: { id: 'u1', username: 'a', status: 'active' }, amr: ['pwd', 'otp'] });
    t.succeed({ name: 'login', start: 'pw', acr: 'gold', nodes: {} }, 1000);
    expect(t.snapshot()).toMatchObject({ view: { status: 'succeeded' }, result: { subject: 'u1', acr: 'gold', amr: ['pwd', 'otp', 'mfa'], authTime: 1000 } });
    expect(t.view().step).toBeUndefined();
  });

  it('keeps the private result out of the view', () => {
    const s = new JourneyState(input);
    s.apply('pw', { user: { id: 'u1', username: 'a', status: 'active' }, amr: ['pwd'] });
    s.succeed({ name: 'login', start: 'pw', nodes: {} }, 1);
    expect(JSON.stringify(s.view())).not.toContain('u1');
  });
});
