// Replays recorded journey histories through the current workflow code: a change that is not
// deterministic (not patched) fails here. RECORD_HISTORIES=1 records them afresh first (keep the
// histories of the shapes before a patch under a new name: *-before-<patch>.json).
import { readdir, readFile } from 'node:fs/promises';
import { beforeAll, expect, inject, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { codec, startServer, startWorker, testConfig, testDb } from '../support/harness.ts';
import { HISTORIES_DIR, recordExpiry, recordJourneys } from './record-journeys.ts';

beforeAll(async () => {
  if (!process.env.RECORD_HISTORIES) return;
  const db = testDb();
  for (const idle of [60_000, 1000]) {
    const config = testConfig({ journeyIdleTimeoutMs: idle });
    const worker = await startWorker(config, db);
    const server = await startServer(config, db);
    try {
      if (idle > 1000) await recordJourneys(server.url, server.client, db, config.taskQueue);
      else await recordExpiry(server.url, server.client, db);
    } finally {
      await server.stop();
      await worker.stop();
    }
  }
  await db.end();
}, 120_000);

it('replays every recorded journey history without non-determinism', async () => {
  const files = (await readdir(HISTORIES_DIR)).filter((f) => f.endsWith('.json')).sort();
  expect(files).toEqual(expect.arrayContaining([
    'login-password-totp-with-retries.json', 'login-disabled-account.json', 'login-totp-enrolment.json', 'login-expired.json',
    'login-inner-tree-first.json', 'login-inner-tree-remembered.json', 'lockout-extended.json',
    'login-recorded-before-required-actions.json', 'registration-verify.json', 'link-sign-in-profile-review.json',
    'registration-workflow-verified.json', 'recovery-link-reset.json', 'registration-workflow-approved.json',
    'invitation-workflow-accepted.json', 'signup-notice-workflow.json', 'backchannel-logout-delivered.json',
    // Recorded before the journey-chain patch (a local activity per module, a timer per step).
    ...['login-password-totp-with-retries', 'login-disabled-account', 'login-totp-enrolment', 'login-expired', 'login-inner-tree-first',
      'login-inner-tree-remembered', 'registration-verify', 'link-sign-in-profile-review', 'recovery-link-reset'].map((name) => `${name}-before-journey-chain.json`),
    // Recorded before the server handed journeys their tree snapshot (the journey's loadTree
    // activity read it; journeys started without one, e.g. by the password grant, still do).
    ...['login-password-totp-with-retries', 'login-disabled-account', 'login-totp-enrolment', 'login-expired', 'login-inner-tree-first',
      'login-inner-tree-remembered', 'registration-verify', 'link-sign-in-profile-review', 'recovery-link-reset'].map((name) => `${name}-before-tree-in-input.json`),
    // Recorded while required actions were still their own activity after the last module chain.
    ...['login-password-totp-with-retries', 'link-sign-in-profile-review'].map((name) => `${name}-before-required-actions-in-chain.json`),
  ]));
  const histories = await Promise.all(files.map(async (file) => ({
    workflowId: file,
    history: historyFromJSON(JSON.parse(await readFile(new URL(file, HISTORIES_DIR), 'utf8'))),
  })));
  const code = await readFile(inject('bundlePath'), 'utf8');
  const results = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { code }, dataConverter: { payloadCodecs: [codec] } }, histories)) {
    results.push({ id: result.workflowId, error: result.error ? String(result.error) : undefined });
  }
  expect(results).toEqual(files.map((id) => ({ id, error: undefined })));
});
