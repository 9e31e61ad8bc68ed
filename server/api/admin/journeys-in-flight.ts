// How many journeys are in flight on each version of a tree, from Temporal's visibility: running
// journeys carry a memo { tenant, tree } from their start (journey-client.ts), and a journey runs
// the version that was the tree's latest when it started (it loads the tree at once), so the
// version is the newest one saved before the journey's start time.
// Rules: counted over at most MAX_SCANNED running journeys of every tenant (visibility cannot
// filter on a memo); journeys started before the memo existed are not counted.
import type { Client } from '@temporalio/client';
import type { Db } from '../../../core/infra/db.ts';

const MAX_SCANNED = 20_000;
const QUERY = "WorkflowType = 'journeyWorkflow' AND ExecutionStatus = 'Running'";

export interface InFlight { byVersion: Map<number, number>; scanned: number; complete: boolean }

export async function journeysInFlight(temporal: Client, db: Db, tenant: string, tree: string): Promise<InFlight> {
  const versions = (await db`SELECT version, created_at FROM trees WHERE tenant_id = ${tenant} AND name = ${tree} ORDER BY version DESC`)
    .map((r) => ({ version: r.version as number, at: (r.created_at as Date).getTime() }));
  const byVersion = new Map<number, number>();
  let scanned = 0;
  for await (const run of temporal.workflow.list({ query: QUERY })) {
    if (++scanned > MAX_SCANNED) return { byVersion, scanned: scanned - 1, complete: false };
    const memo = run.memo as { tenant?: string; tree?: string } | undefined;
    if (memo?.tenant !== tenant || memo.tree !== tree) continue;
    const started = run.startTime.getTime();
    const version = versions.find((v) => v.at <= started)?.version ?? versions.at(-1)?.version;
    if (version !== undefined) byVersion.set(version, (byVersion.get(version) ?? 0) + 1);
  }
  return { byVersion, scanned, complete: true };
}
