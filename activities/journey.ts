// Activities the journey workflow calls: load the tree snapshot (with the inner trees it runs),
// and prepare / verify any node by dispatching to its module through the registry, replaying or
// storing remembered results on the way; in a step-up journey (request.stepUp), nodes proving
// only what the session already proved are answered without a step. Failures that retrying
// cannot fix are raised as non-retryable ApplicationFailures so the journey ends instead of
// looping: a bad tree, input that is not clean text, and input the database refuses as data
// (SQLSTATE class 22, e.g. 22021 for a NUL byte; the failure names only the SQLSTATE, never the
// value). Anything else is retried a bounded number of times (workflows/journey.ts).
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { Config } from '../core/infra/config.ts';
import type { Db } from '../core/infra/db.ts';
import { recordAudit, type AuditEvent } from '../core/infra/audit.ts';
import { createMailer, type Mailer } from '../core/infra/mail.ts';
import { countJourney } from '../core/infra/metrics.ts';
import { findRemembered, rememberScope, saveRemembered } from '../core/journeys/remembered.ts';
import { resetThrottleStatement } from '../core/accounts/throttle.ts';
import type { Tree, TreeBundle } from '../core/journeys/tree-types.ts';
import type { ContextPatch, JourneyContext, NodeCall, PrepareResult, VerifyResult } from '../core/journeys/journey-context.ts';
import { getUser } from '../core/accounts/users.ts';
import { getRegistrationSettings } from '../core/registration/registration-settings.ts';
import { forgetAbandonedSignup, markSignedIn, needsProfileReview } from '../core/accounts/user-lifecycle.ts';
import { isCleanText } from '../core/infra/clean-text.ts';
import { FailureTypes } from '../core/journeys/journey-types.ts';
import { findModule } from './registry.ts';
import { loadTreeBundle } from './tree-bundle.ts';
import type { AuthModule, ModuleDeps } from './modules/module.ts';

export interface JourneyActivityDeps { db: Db; config: Config; temporal?: Client; now?: () => Date; mail?: Mailer }

export interface JourneyEnd {
  tenant: string;
  journeyId: string;
  status: string;
  tree: string;
  version: number;
  subject?: string;
  error?: string;
  kind?: string;
  /** Whether the journey produced a session (a succeeded registration may not). */
  signedIn?: boolean;
  /** The relying party that started the journey, if one did (audit queries by client find it). */
  client?: string;
}

function resolve(call: NodeCall): { module: AuthModule; config: any } {
  const module = findModule(call.type);
  if (!module) throw ApplicationFailure.nonRetryable(`node "${call.node}": unknown module "${call.type}"`, 'BadTree');
  const parsed = module.config.safeParse(call.config);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`node "${call.node}": invalid config`, 'BadTree');
  return { module, config: parsed.data };
}

/**
 * Runs a module call, turning the database's refusal of the input as data (SQLSTATE class 22)
 * into a non-retryable failure.
 * @throws ApplicationFailure of type FailureTypes.invalidInput for such a refusal; any other error as it was.
 */
export async function refusingBadData<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const pg = err as { name?: string; code?: unknown };
    if (pg?.name === 'PostgresError' && typeof pg.code === 'string' && pg.code.startsWith('22')) {
      throw ApplicationFailure.nonRetryable(`the database refused the input (SQLSTATE ${pg.code})`, FailureTypes.invalidInput);
    }
    throw err;
  }
}

function rememberKey(call: NodeCall) {
  return { tenant: call.ctx.tenant, userId: call.ctx.user!.id, tree: call.tree, node: call.node };
}

function firstOutcome(module: AuthModule, config: any): string {
  return typeof module.outcomes === 'function' ? module.outcomes(config)[0]! : module.outcomes[0]!;
}

/**
 * Skip what the session already proved: in a step-up journey for the same user, a node whose
 * module proves only AMR values the session holds answers its first outcome without a step,
 * carrying those values over.
 */
function provenBySession(call: NodeCall, module: AuthModule, config: any): PrepareResult | undefined {
  const stepUp = call.ctx.request.stepUp;
  const proves = typeof module.proves === 'function' ? module.proves(config) : module.proves;
  if (!stepUp || !proves?.length || call.ctx.user?.id !== stepUp.userId) return undefined;
  if (!proves.every((value) => stepUp.amr.includes(value))) return undefined;
  return { kind: 'outcome', outcome: firstOutcome(module, config), patch: { amr: [...proves] } };
}

export function createJourneyActivities({ db, config, temporal, now = () => new Date(), mail }: JourneyActivityDeps) {
  mail ??= createMailer({ db, smtpUrl: config.smtpUrl, ...(config.mailFrom ? { from: config.mailFrom } : {}) });
  const deps: ModuleDeps = { db, config, temporal, now, mail, audit: (event: AuditEvent) => recordAudit(db, event) };

  /** The user a step-up journey starts with, as a patch, when the journey knows no user yet. */
  async function stepUpUser(call: NodeCall): Promise<ContextPatch | undefined> {
    const stepUp = call.ctx.request.stepUp;
    if (!stepUp || call.ctx.user) return undefined;
    const user = await getUser(db, call.ctx.tenant, stepUp.userId);
    if (!user) return undefined;
    return {
      user: { id: user.id, username: user.username, status: user.status },
      login: call.ctx.login ?? user.email ?? user.username,
      amr: [...stepUp.amr],
    };
  }

  async function prepareFor(call: NodeCall, module: AuthModule, config: any): Promise<PrepareResult> {
    const proven = provenBySession(call, module, config);
    if (proven) return proven;
    const scope = call.ctx.user ? rememberScope(call.remember, call.ctx.request) : undefined;
    if (scope) {
      const hit = await findRemembered(db, rememberKey(call), scope);
      if (hit) return { kind: 'outcome', outcome: hit.outcome, remembered: true, patch: { amr: hit.amr } };
    }
    return module.prepare({ ...call, config }, deps);
  }

  return {
    /** The latest version of the tree and of every tree it runs; the journey keeps this snapshot. */
    async loadTree(input: { tenant: string; name: string }): Promise<TreeBundle> {
      return loadTreeBundle(db, input.tenant, input.name);
    },

    async prepareNode(call: NodeCall): Promise<PrepareResult> {
      const { module, config } = resolve(call);
      // A step-up journey starts with the session's user (and what the session proved), so a
      // tree without a username node (e.g. a second factor only) knows whom it checks.
      const joined = await stepUpUser(call);
      const effective = joined ? { ...call, ctx: { ...call.ctx, user: joined.user!, login: joined.login, amr: joined.amr! } } : call;
      const result = await refusingBadData(() => prepareFor(effective, module, config));
      return joined ? { ...result, patch: { ...joined, ...result.patch, amr: [...joined.amr!, ...(result.patch?.amr ?? [])] } } : result;
    },

    async verifyNode(call: NodeCall, values: Record<string, string>): Promise<VerifyResult> {
      const { module, config } = resolve(call);
      if (!module.verify) throw ApplicationFailure.nonRetryable(`node "${call.node}" takes no input`, 'BadTree');
      if (!Object.entries(values).every(([k, v]) => isCleanText(k) && typeof v === 'string' && isCleanText(v))) {
        throw ApplicationFailure.nonRetryable(`node "${call.node}": input is not clean text`, FailureTypes.invalidInput);
      }
      const verdict = await refusingBadData(() => module.verify!({ ...call, config }, values, deps));
      const user = verdict.patch?.user === null ? undefined : verdict.patch?.user ?? call.ctx.user;
      const scope = user ? rememberScope(call.remember, call.ctx.request) : undefined;
      const worth = module.rememberOutcomes ?? [firstOutcome(module, config)];
      if (scope && user && worth.includes(verdict.outcome)) {
        await saveRemembered(db, { ...rememberKey(call), userId: user.id }, scope, call.remember!, verdict.outcome, verdict.patch?.amr ?? []);
      }
      return verdict;
    },

    async recordJourneyEnd(end: JourneyEnd): Promise<void> {
      await recordAudit(db, {
        tenant: end.tenant, type: `journey.${end.status}`, subject: end.subject, journeyId: end.journeyId,
        dedupeKey: `journey-end:${end.journeyId}`,
        data: { tree: end.tree, version: end.version, ...(end.kind ? { kind: end.kind } : {}), ...(end.client ? { client: end.client } : {}), ...(end.error ? { error: end.error } : {}) },
      });
      // A successful sign-in forgets the account's earlier failures (as Keycloak does), in the
      // statement that records it when there is one.
      const forget = end.status === 'succeeded' && end.subject ? resetThrottleStatement(db, end.tenant, end.subject) : undefined;
      if (end.signedIn && end.subject) await markSignedIn(db, end.tenant, end.subject, forget);
      else if (forget) await forget;
      // A signup abandoned before the registration workflow took over leaves no pending account.
      if (end.kind === 'registration' && end.status !== 'succeeded' && end.subject) {
        await forgetAbandonedSignup(db, end.tenant, end.subject, end.journeyId);
      }
      countJourney(end.tenant, end.kind ?? 'login', end.tree, end.status);
    },

    /**
     * What must happen after the tree and before the session, as a tree of its own (Keycloak's
     * "required actions"), or null. Today: the tenant's forceProfileUpdate on a first sign-in.
     */
    async requiredActions(ctx: JourneyContext): Promise<Tree | null> {
      if (!ctx.user || ctx.user.status !== 'active') return null;
      const settings = await getRegistrationSettings(db, ctx.tenant);
      if (!settings.forceProfileUpdate || !(await needsProfileReview(db, ctx.tenant, ctx.user.id))) return null;
      return {
        name: 'required-actions', start: 'profile',
        nodes: { profile: { type: 'profile', config: { review: true }, next: { ok: 'success' } } },
      };
    },
  };
}

export type JourneyActivities = ReturnType<typeof createJourneyActivities>;
