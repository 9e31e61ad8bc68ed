// script: tenant-written JavaScript decides the node's outcome from the journey context, e.g.
// `return user.totp ? 'yes' : 'no'`. The body runs as a strict function of (context, user,
// request, outcomes, tenant) in the QuickJS sandbox (core/journeys/script-sandbox.ts) and returns one of
// the configured `outcomes` (default yes/no).
// Rules: the script sees only a frozen JSON copy of { user: { id, username, status, totp } | null,
// request: { ip, userAgent }, outcomes: [{ node, outcome }], tenant } and nothing of the host;
// limits: source ≤ 10 KB, time ≤ 1 s (default 100 ms), memory ≤ 64 MB (default 16 MB).
// A script that loops, allocates without bound, throws, or returns anything but one of its
// outcomes ends the node with the extra outcome `error` — routed where the tree says, or to
// `failure` when the tree leaves it out (as DESIGN.md §3's example does) — sets a generic journey
// error and records a `script.failed` audit event.
import { z } from 'zod';
import { getTotpSecret } from '../../core/accounts/totp.ts';
import { runScript, SCRIPT_LIMITS } from '../../core/journeys/script-sandbox.ts';
import { defineModule } from './module.ts';

const OUTCOME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const FAILED = { code: 'script_failed', message: 'Sign-in could not be completed. Please try again later or contact your administrator.' };

interface Visits { visits: number }

export const scriptModule = defineModule({
  type: 'script',
  config: z.object({
    source: z.string().min(1).refine((s) => Buffer.byteLength(s) <= SCRIPT_LIMITS.sourceBytes, `source must be at most ${SCRIPT_LIMITS.sourceBytes} bytes`),
    outcomes: z.array(z.string().regex(OUTCOME).refine((o) => o !== 'error', '"error" is the outcome of a failed script'))
      .min(1).max(20).refine((o) => new Set(o).size === o.length, 'outcomes must differ').default(['yes', 'no']),
    timeoutMs: z.number().int().min(1).max(SCRIPT_LIMITS.maxTimeoutMs).default(SCRIPT_LIMITS.timeoutMs),
    memoryMb: z.number().int().min(1).max(SCRIPT_LIMITS.maxMemoryMb).default(SCRIPT_LIMITS.memoryMb),
  }).strict(),
  outcomes: (config) => [...config.outcomes, 'error'],
  // A tree that does not route `error` sends a failed script to `failure` (DESIGN.md §3's example).
  optionalOutcomes: ['error'],
  rememberOutcomes: [],
  async prepare({ ctx, node, config }, { db, audit }) {
    const visit = ((ctx.nodeState[node] as Visits | undefined)?.visits ?? 0) + 1;
    const user = ctx.user
      ? { id: ctx.user.id, username: ctx.user.username, status: ctx.user.status, totp: (await getTotpSecret(db, ctx.tenant, ctx.user.id)) !== undefined }
      : null;
    const context = {
      user, tenant: ctx.tenant,
      request: { ip: ctx.request.ip ?? null, userAgent: ctx.request.userAgent ?? null },
      outcomes: ctx.outcomes.map((o) => ({ node: o.node, outcome: o.outcome })),
    };
    const result = await runScript({ source: config.source, context, timeoutMs: config.timeoutMs, memoryMb: config.memoryMb, tenant: ctx.tenant });
    // A full queue is the server's problem, not the script's: let the activity retry.
    if (!result.ok && result.reason === 'busy') throw new Error('script sandbox busy');
    const nodeState: Visits = { visits: visit };
    if (result.ok && config.outcomes.includes(result.value)) return { kind: 'outcome', outcome: result.value, patch: { nodeState } };
    const failure = result.ok
      ? { reason: 'unknown_outcome', message: `the script returned "${result.value.slice(0, 40)}", not one of ${config.outcomes.join(', ')}` }
      : { reason: result.reason, message: result.message };
    await audit({
      tenant: ctx.tenant, type: 'script.failed', subject: ctx.user?.id, journeyId: ctx.journeyId,
      dedupeKey: `script.failed:${ctx.journeyId}:${node}:${visit}`, data: { node, ...failure },
    });
    return { kind: 'outcome', outcome: 'error', patch: { nodeState, error: FAILED } };
  },
});
