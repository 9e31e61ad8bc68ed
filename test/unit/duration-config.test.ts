import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../core/infra/duration.ts';
import { loadConfig } from '../../core/infra/config.ts';

describe('durations and config', () => {
  it('parses the units trees and env vars use', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    for (const bad of ['', '15', 'm', '1.5h', '-1s', '10 years']) expect(() => parseDuration(bad)).toThrow();
  });

  it('reads DESIGN.md §6 defaults and refuses malformed values', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, publicUrl: 'http://localhost:3000', temporalNamespace: 'default', taskQueue: 'tessera', journeyIdleTimeoutMs: 900_000, journeyAnswerTimeoutMs: 20_000 });
    expect(config.databaseUrl).toBeUndefined();
    expect(loadConfig({ PORT: '8080', PUBLIC_URL: 'https://id.example/' }).publicUrl).toBe('https://id.example');
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ JOURNEY_IDLE_TIMEOUT: 'soon' })).toThrow(/JOURNEY_IDLE_TIMEOUT/);
    expect(loadConfig({ JOURNEY_ANSWER_TIMEOUT: '3s' }).journeyAnswerTimeoutMs).toBe(3000);
    for (const bad of ['soon', '500ms']) expect(() => loadConfig({ JOURNEY_ANSWER_TIMEOUT: bad })).toThrow(/JOURNEY_ANSWER_TIMEOUT/);
  });
});
