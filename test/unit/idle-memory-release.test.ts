// The idle release's decision, on a clock of its own: when it collects and when it leaves the
// process alone (under traffic, right after start, with too little to give back, twice per spell).
import { describe, expect, it } from 'vitest';
import { IdleReleasePolicy } from '../../bin/runtime/idle-memory-release.ts';
import { idleReleaseSeconds } from '../../core/infra/idle-release-setting.ts';

const MiB = 1024 * 1024;

function fixture(quietMs = 20_000) {
  const state = { now: 0, rss: 150 * MiB, collections: 0, freedTo: 160 * MiB };
  const policy = new IdleReleasePolicy(quietMs, {
    now: () => state.now,
    rss: () => state.rss,
    collect: () => { state.collections += 1; state.rss = state.freedTo; },
  });
  /** One look 5 s after the previous one, with `requests` seen in between. */
  const look = (requests: number) => { state.now += 5_000; return policy.look(requests); };
  return { state, look };
}

describe('IdleReleasePolicy', () => {
  it('collects once the traffic has stopped for the quiet spell and memory grew, and reports what it freed', () => {
    const { state, look } = fixture();
    for (let i = 0; i < 6; i++) expect(look(500)).toBeUndefined();
    state.rss = 240 * MiB;
    expect([look(0), look(0), look(1)]).toEqual([undefined, undefined, undefined]);
    expect(look(0)).toBe(80 * MiB);
    expect(state.collections).toBe(1);
    // Once per quiet spell: no second collection until traffic has come and gone again.
    state.rss = 260 * MiB;
    for (let i = 0; i < 10; i++) expect(look(0)).toBeUndefined();
    for (let i = 0; i < 2; i++) look(300);
    for (let i = 0; i < 4; i++) look(0);
    expect(state.collections).toBe(2);
  });

  it('never collects under traffic, health probes and scrapes not counting as traffic', () => {
    const { state, look } = fixture();
    state.rss = 400 * MiB;
    for (let i = 0; i < 50; i++) look(3);
    expect(state.collections).toBe(0);
    for (let i = 0; i < 50; i++) look(i % 2);
    expect(state.collections).toBe(1);
  });

  it('leaves a process that has seen no traffic, or grew less than 24 MiB since the last release, alone', () => {
    const quietFromStart = fixture();
    quietFromStart.state.rss = 400 * MiB;
    for (let i = 0; i < 20; i++) quietFromStart.look(0);
    expect(quietFromStart.state.collections).toBe(0);

    const small = fixture();
    small.look(100);
    small.state.rss = 170 * MiB;
    for (let i = 0; i < 20; i++) small.look(0);
    expect(small.state.collections).toBe(0);
    // The baseline is what the last release left, not what the process started with.
    small.state.rss = 200 * MiB;
    small.look(0);
    expect(small.state.collections).toBe(1);
    small.look(100);
    small.state.rss = 180 * MiB;
    for (let i = 0; i < 20; i++) small.look(0);
    expect(small.state.collections).toBe(1);
  });
});

describe('idleReleaseSeconds', () => {
  it('reads TESSERA_IDLE_RELEASE_SECONDS: 20 by default, 0 for off, anything else refused', () => {
    expect(idleReleaseSeconds(undefined)).toBe(20);
    expect(idleReleaseSeconds(' ')).toBe(20);
    expect(idleReleaseSeconds('0')).toBe(0);
    expect(idleReleaseSeconds('90')).toBe(90);
    for (const bad of ['-1', '1.5', 'ten', '86401']) {
      expect(() => idleReleaseSeconds(bad)).toThrow(/TESSERA_IDLE_RELEASE_SECONDS must be/);
    }
  });
});
