// The browser's first read of a journey it just started is answered from the start, without a
// workflow query; every later read, a read by another browser, and a read after an answer ask the
// workflow (server/api/journeys/start-handoff.ts). Counted on the server's own Temporal client.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tenantWithUser } from '../support/harness.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack();
const { db } = stack;

/** Counts the workflow queries the server makes from now on. */
function countQueries(): { readonly n: number } {
  const workflow = stack.server.client.workflow;
  const getHandle = workflow.getHandle.bind(workflow);
  const counter = { n: 0 };
  vi.spyOn(workflow, 'getHandle').mockImplementation((...args: Parameters<typeof getHandle>) => {
    const handle = getHandle(...args);
    const query = handle.query.bind(handle);
    handle.query = ((...q: Parameters<typeof query>) => { counter.n++; return query(...q); }) as typeof handle.query;
    return handle;
  });
  return counter;
}

afterEach(() => vi.restoreAllMocks());

describe('the first read of a journey just started', () => {
  it('is answered from the start once; later reads ask the workflow', async () => {
    const { tenant, login, password } = await tenantWithUser(db);
    const api = new JourneyApi(stack.url, tenant);
    const started = await api.start();
    expect(started.status).toBe(201);
    const queries = countQueries();

    const first = await api.get();
    expect(first.status).toBe(200);
    expect(first.body).toEqual(started.body);
    expect(queries.n).toBe(0);

    const second = await api.get();
    expect(second.body).toEqual(started.body);
    expect(queries.n).toBe(1);

    const named = await api.submit({ username: login });
    expect(named.body.step.fields.map((f: { name: string }) => f.name)).toContain('password');
    expect((await api.get()).body).toEqual(named.body);
    expect(queries.n).toBe(2);
    expect((await api.submit({ password })).body.status).toBe('succeeded');
  });

  it('is not handed to another browser, and an answer given first makes the read ask the workflow', async () => {
    const { tenant, login } = await tenantWithUser(db);
    const api = new JourneyApi(stack.url, tenant);
    await api.start();
    const id = api.journey!.id;
    const queries = countQueries();
    // Another browser (no binding cookie) learns nothing, whether or not the start was kept.
    const stranger = new JourneyApi(stack.url, tenant);
    expect((await stranger.get(id)).status).toBe(404);
    const mine = await api.get();
    expect(mine.status).toBe(200);
    expect(mine.body.step.id).toBe(api.journey!.step!.id);

    const other = new JourneyApi(stack.url, tenant);
    await other.start();
    const named = await other.submit({ username: login });
    const before = queries.n;
    expect((await other.get()).body).toEqual(named.body);
    expect(queries.n).toBe(before + 1);
  });
});
