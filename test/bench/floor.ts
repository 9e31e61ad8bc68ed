// Temporal's floor: the journeys' shape with nothing of Tessera in it — per "login" one workflow
// (workflows/floor.ts) started by update-with-start and given as many no-op updates as the
// password + TOTP login has user steps (start, username, password, TOTP: 4), on the same worker
// and Temporal server, through the same payload codec. The report divides the journey's worker +
// Temporal CPU per login by the floor's: the journey's overhead over the engine's own.
import { randomBytes } from 'node:crypto';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { EncryptionCodec, parseCodecKeys } from '../../core/infra/codec.ts';
import { connectClient } from '../../core/infra/temporal-client.ts';
import { FLOOR_WORKFLOW, floorStepUpdate } from '../../workflows/floor-contracts.ts';
import { closedLoop, type LoopResult } from './closed-loop.ts';
import { nowMs } from './stats.ts';

export const FLOOR_STEPS = 4;

export interface FloorResult { steps: number; phases: LoopResult<never>[] }

export async function runFloorBench(address: string, taskQueue: string, codecKeys: string, opts: { levels: number[]; seconds: number; warmup: number },
  cpuMeters: Record<string, () => number>, log: (m: string) => void): Promise<FloorResult> {
  const client = await connectClient(address, 'default', new EncryptionCodec(parseCodecKeys(codecKeys)));
  const once = async () => {
    const t0 = nowMs();
    const start = new WithStartWorkflowOperation(FLOOR_WORKFLOW, {
      workflowId: `floor-${randomBytes(12).toString('base64url')}`, taskQueue, args: [FLOOR_STEPS], workflowIdConflictPolicy: 'FAIL',
    });
    await client.workflow.executeUpdateWithStart(floorStepUpdate, { startWorkflowOperation: start });
    const handle = await start.workflowHandle();
    for (let i = 1; i < FLOOR_STEPS; i++) await handle.executeUpdate(floorStepUpdate);
    return { login: nowMs() - t0 };
  };
  const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));
  try {
    log(`Temporal floor: warm-up, ${opts.warmup} workflows…`);
    await closedLoop([], Math.min(4, opts.warmup), { logins: opts.warmup }, cpuMeters, once, describe);
    const phases: LoopResult<never>[] = [];
    for (const concurrency of opts.levels) {
      log(`Temporal floor: ${concurrency} concurrent for ${opts.seconds} s…`);
      phases.push(await closedLoop([], concurrency, { seconds: opts.seconds }, cpuMeters, once, describe));
    }
    return { steps: FLOOR_STEPS, phases };
  } finally {
    await client.connection.close();
  }
}

/** The floor's CPU per workflow, and the journeys' worker + Temporal CPU per login over it. */
export function formatFloorReport(floor: FloorResult, journeys: { concurrency: number; cpu: Record<string, { msPerLogin: number }> }[]): string {
  const f1 = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n.toFixed(1) : '-');
  const engine = (cpu: Record<string, { msPerLogin: number }>) => (cpu.worker?.msPerLogin ?? NaN) + (cpu.temporal?.msPerLogin ?? NaN);
  const out = [`Temporal floor — update-with-start + ${floor.steps - 1} no-op updates per workflow, no activity, no timer; same worker and server`];
  for (const p of floor.phases) {
    const journey = journeys.find((j) => j.concurrency === p.concurrency);
    const ratio = journey ? engine(journey.cpu) / engine(p.cpu) : NaN;
    out.push(`  ${p.concurrency} concurrent: ${f1(p.loginsPerSecond)} workflows/s, ${p.errors} errors; CPU ms per workflow: worker ${f1(p.cpu.worker?.msPerLogin)}, `
      + `temporal ${f1(p.cpu.temporal?.msPerLogin)}, bench client ${f1(p.cpu[Object.keys(p.cpu).find((k) => k.startsWith('bench'))!]?.msPerLogin)}`);
    if (journey) out.push(`    password + TOTP login, worker + temporal: ${f1(engine(journey.cpu))} ms = ${f1(ratio)}× the floor's ${f1(engine(p.cpu))} ms (goal <= 1.25×)`);
  }
  return out.join('\n');
}
