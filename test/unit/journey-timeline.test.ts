// The journey timeline rebuilt from recorded histories (test/replay/histories, encrypted with the
// test codec key): every node in order with its module and outcome, the steps shown, the inputs
// by step id only, inner trees, and the end — and nothing a user typed.
import { readFile } from 'node:fs/promises';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { describe, expect, it } from 'vitest';
import { EncryptionCodec, parseCodecKeys } from '../../core/infra/codec.ts';
import { buildTimeline } from '../../core/journeys/journey-timeline.ts';
import { recordsOf } from '../../server/api/admin/journey-history.ts';
import { TEST_CODEC_KEYS } from '../support/codec-key.ts';

const codec = new EncryptionCodec(parseCodecKeys(TEST_CODEC_KEYS));
const decode = async (payload: Payload | null | undefined) => {
  if (!payload) return undefined;
  const [plain] = await codec.decode([payload]);
  return defaultPayloadConverter.fromPayload(plain!);
};

async function timelineOf(file: string) {
  const history = historyFromJSON(JSON.parse(await readFile(new URL(`../replay/histories/${file}`, import.meta.url), 'utf8')));
  const read = await recordsOf(history.events ?? [], decode);
  expect(read).toBeDefined();
  return { ...buildTimeline(read!.records), raw: JSON.stringify(history) };
}

const brief = (e: { event: string; node?: string; outcome?: string; errors?: string[] }) =>
  [e.event, e.node, e.outcome, e.errors?.join(',')].filter(Boolean).join(' ');

describe('journey timeline', () => {
  // The same login recorded in both shapes: a local activity per module and a timer per step
  // (before the journey-chain patch), and one module chain per step with one idle deadline.
  it.each(['login-password-totp-with-retries.json', 'login-password-totp-with-retries-before-journey-chain.json'])('follows a password + TOTP login with retries, node by node, without what the user typed (%s)', async (file) => {
    const t = await timelineOf(file);
    expect(t).toMatchObject({ kind: 'login', tree: 'login', version: 1, status: 'succeeded' });
    expect(t.entries.map(brief)).toEqual([
      'started', 'tree',
      'step identify', 'input identify', 'node identify ok',
      'node guard ok',
      'step password', 'input password', 'node password bad invalid_credentials',
      'node password-failed retry',
      'step password', 'input password', 'node password ok',
      'node status active',
      'step otp', 'input otp', 'node otp bad invalid_code',
      'node otp-failed retry',
      'step otp', 'input otp', 'node otp ok', 'node end success',
      'ended succeeded',
    ]);
    expect(t.entries.find((e) => e.node === 'password')).toMatchObject({ module: 'password' });
    const serialized = JSON.stringify(t.entries);
    for (const typed of ['wrong-password', '000000', 'pw-']) expect(serialized).not.toContain(typed);
  });

  it.each(['login-inner-tree-first.json', 'login-inner-tree-first-before-journey-chain.json'])('walks into an inner tree and back out with its terminal as the outer node\'s outcome (%s)', async (file) => {
    const t = await timelineOf(file);
    const briefs = t.entries.map(brief);
    const subtree = t.entries.findIndex((e) => e.event === 'subtree');
    expect(subtree).toBeGreaterThan(0);
    expect(briefs.slice(subtree + 1).some((b) => b.includes('/'))).toBe(true);
    expect(briefs.at(-1)).toMatch(/^ended /);
    expect(briefs).not.toContain('node history not followed further');
  });

  // Required actions asked by their own activity (before the journey-chain patch, and until the
  // chain that reaches success answered them itself) and by that chain.
  it.each(['', '-before-required-actions-in-chain', '-before-journey-chain'])('walks the required actions after the tree (link-sign-in-profile-review%s)', async (suffix) => {
    const t = await timelineOf(`link-sign-in-profile-review${suffix}.json`);
    expect(t.entries.map(brief)).toEqual([
      'started', 'tree', 'node link ok', 'node status active', 'node end success',
      'step required/profile', 'input required/profile', 'node required/profile ok', 'node end success', 'ended succeeded',
    ]);
  });

  it.each(['', '-before-journey-chain'])('records an expired journey and a disabled account\'s refusal (%s)', async (suffix) => {
    const expired = await timelineOf(`login-expired${suffix}.json`);
    expect(expired.entries.map((e) => e.event)).toContain('expired');
    expect(expired.status).toBe('expired');
    const disabled = await timelineOf(`login-disabled-account${suffix}.json`);
    expect(disabled.entries.map(brief)).toContain('node status disabled');
    expect(disabled.status).toBe('failed');
  });
});
