// The start's answer kept for the browser's first read (server/api/journeys/start-handoff.ts):
// taken once, only while young, never past a quarter of the idle timeout, only for waiting journeys.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JourneySnapshot } from '../../core/journeys/journey-types.ts';
import { StartHandoff } from '../../server/api/journeys/start-handoff.ts';

const waiting = (id: string): JourneySnapshot => ({
  tenant: 'acme', binding: 'b', view: { id, kind: 'login', status: 'waiting', step: { id: 'identify#1', node: 'identify', type: 'form', title: 'Sign in' } },
});

afterEach(() => vi.useRealTimers());

describe('StartHandoff', () => {
  it('hands a waiting start to the first read only', () => {
    const handoff = new StartHandoff();
    handoff.keep('j1', waiting('j1'), 600_000);
    expect(handoff.take('j1')?.view.step?.id).toBe('identify#1');
    expect(handoff.take('j1')).toBeUndefined();
  });

  it('keeps nothing for a journey that no longer waits', () => {
    const handoff = new StartHandoff();
    handoff.keep('j1', { ...waiting('j1'), view: { id: 'j1', kind: 'login', status: 'failed' } }, 600_000);
    expect(handoff.size).toBe(0);
  });

  it('drops what an answer to the journey made stale', () => {
    const handoff = new StartHandoff();
    handoff.keep('j1', waiting('j1'), 600_000);
    handoff.forget('j1');
    expect(handoff.take('j1')).toBeUndefined();
  });

  it('lives 3 s at most, and never more than a quarter of the idle timeout', () => {
    vi.useFakeTimers();
    const handoff = new StartHandoff();
    handoff.keep('long', waiting('long'), 600_000);
    handoff.keep('short', waiting('short'), 2000);
    vi.advanceTimersByTime(600);
    expect(handoff.take('short')).toBeUndefined();
    vi.advanceTimersByTime(2000);
    expect(handoff.take('long')).toBeDefined();
    handoff.keep('late', waiting('late'), 600_000);
    vi.advanceTimersByTime(3001);
    expect(handoff.take('late')).toBeUndefined();
  });

  it('stays bounded: expired entries go first, then the oldest', () => {
    vi.useFakeTimers();
    const handoff = new StartHandoff();
    handoff.keep('old', waiting('old'), 600_000);
    vi.advanceTimersByTime(3001);
    for (let i = 0; i < 10_000; i++) handoff.keep(`j${i}`, waiting(`j${i}`), 600_000);
    expect(handoff.size).toBe(10_000);
    expect(handoff.take('old')).toBeUndefined();
    handoff.keep('j10000', waiting('j10000'), 600_000);
    expect(handoff.size).toBe(10_000);
    expect(handoff.take('j0')).toBeUndefined();
    expect(handoff.take('j1')).toBeDefined();
    expect(handoff.take('j10000')).toBeDefined();
  });
});
