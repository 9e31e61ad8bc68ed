// Editing a tree while journeys are in flight: each journey finishes on the version it started.
import { expect, it } from 'vitest';
import { defaultLoginTree } from '../../core/journeys/default-trees.ts';
import { saveTree } from '../../core/journeys/trees.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { tenantWithUser } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack();
const { db, config } = stack;

it('finishes an in-flight journey on its starting version while new journeys use the new one', async () => {
  const { tenant, login, password } = await tenantWithUser(db);
  const inFlight = new JourneyApi(stack.url, tenant);
  await inFlight.start();
  await inFlight.submit({ username: login });
  expect(inFlight.journey!.step!.node).toBe('password');

  // Version 2: every login is refused right after the username.
  const v2 = await saveTree(db, tenant, { ...defaultLoginTree, nodes: { identify: { type: 'username', next: { ok: 'failure' } } } });
  expect(v2.version).toBe(2);

  const done = await inFlight.submit({ password });
  expect(done.body.status).toBe('succeeded');

  const fresh = new JourneyApi(stack.url, tenant);
  await fresh.start();
  const refused = await fresh.submit({ username: login });
  expect(refused.body.status).toBe('failed');
});
