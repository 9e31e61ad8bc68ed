// The server hands a journey the tree snapshot it checked the start against (JourneyInput.bundle):
// the journey runs it without a loadTree activity, a tree changed later does not touch it, and the
// timeline still names tree and version. A stored tree that does not validate is not handed over:
// the journey loads it itself and fails, as it always did.
import { describe, expect, it } from 'vitest';
import { defaultLoginTree } from '../../core/journeys/default-trees.ts';
import { saveTree } from '../../core/journeys/trees.ts';
import { readJourneyHistory } from '../../server/api/admin/journey-history.ts';
import { tenantWithUser } from '../support/harness.ts';
import { recordedJourney } from '../support/recorded-journey.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack();
const { db } = stack;

describe('the tree snapshot a journey starts with', () => {
  it('is handed over by the server: no loadTree, later versions untouched, the timeline names the version', async () => {
    const { tenant, login, password } = await tenantWithUser(db);
    const api = new JourneyApi(stack.url, tenant);
    expect((await api.start()).status).toBe(201);
    const id = api.journey!.id;
    // A new version of the tree while the journey waits: the journey keeps the one it started on.
    await saveTree(db, tenant, { ...defaultLoginTree, acr: 'changed-meanwhile' });
    await api.submit({ username: login });
    expect((await api.submit({ password })).body.status).toBe('succeeded');

    const { input, activities } = await recordedJourney(stack.server.client, id);
    expect(input.bundle).toMatchObject({ name: 'login', version: 1, start: defaultLoginTree.start });
    expect(input.bundle.acr).not.toBe('changed-meanwhile');
    expect(activities).not.toContain('loadTree');
    expect(activities).toContain('advanceJourney');
    const history = await readJourneyHistory(stack.server.client, id);
    expect(history?.records).toContainEqual(expect.objectContaining({ kind: 'activity', type: 'loadTree', result: expect.objectContaining({ version: 1 }) }));
  });

  it('is not handed over when the stored tree does not validate: the journey loads it and fails', async () => {
    const { tenant } = await tenantWithUser(db);
    // Stored behind validation's back (saveTree does not validate; imports do).
    await saveTree(db, tenant, { name: 'broken', start: 'a', nodes: { a: { type: 'no-such-module', next: { ok: 'success' } } } });
    const api = new JourneyApi(stack.url, tenant);
    const started = await api.start('login', 'broken');
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ status: 'failed' });
    const { input, activities } = await recordedJourney(stack.server.client, api.journey!.id);
    expect(input.bundle).toBeUndefined();
    expect(activities[0]).toBe('loadTree');
  });
});
