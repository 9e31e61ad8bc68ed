// email-otp: mails a six-digit code (and, with `magicLink`, a link carrying it) to the user's email.
// Rules: codes come from crypto.randomInt and only a salted HMAC of one is kept (in nodeState);
// a code lives at most 10 minutes and is single-use (cleared on success); wrong codes count per
// journey and node, across reissued codes, and `maxAttempts` of them give `locked`; a retried
// prepare never mails twice (dedupe key journey + node + visit) and keeps the code that went out;
// an unknown account gets the same step and answers, but no mail and never `ok`, so the step does
// not tell whether an account exists; a known account without an email gives `none`.
// AMR: `otp` (RFC 8176 has no value for email; the code is a one-time password).
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { isDuration, parseDuration } from '../../core/infra/duration.ts';
import type { JourneyContext } from '../../core/journeys/journey-context.ts';
import type { Field, StepSpec } from '../../core/journeys/journey-types.ts';
import { describeLifetime } from '../../core/infra/mail-templates.ts';
import { getUser } from '../../core/accounts/users.ts';
import { defineModule, type ModuleCallOf, type ModuleDeps } from './module.ts';

const MAX_LIFETIME_MS = 10 * 60_000;

const CODE_FIELD: Field = {
  name: 'code', type: 'otp', label: 'Six-digit code', required: true, autocomplete: 'one-time-code', maxLength: 6,
};
const WRONG = { field: 'code', code: 'invalid_code', message: 'That code is not valid. Check the email and try again.' };
const EXPIRED = { field: 'code', code: 'expired_code', message: 'That code has expired. We have sent you a new one.' };
const LOCKED = { code: 'otp_locked', message: 'Too many wrong codes. Please start again.' };

/** The code in force: without `hash` there is no account, so nothing can match. */
interface CodeState { issuedAt: number; attempts: number; salt?: string; hash?: string }

const Lifetime = z.string().refine(isDuration, 'must be a duration such as 10m or 90s')
  .refine((d) => !isDuration(d) || (parseDuration(d) >= 1000 && parseDuration(d) <= MAX_LIFETIME_MS), 'must be between 1s and 10m');

const Config = z.object({
  length: z.literal(6).default(6),
  lifetime: Lifetime.default('10m'),
  maxAttempts: z.number().int().min(1).max(20).default(5),
  magicLink: z.boolean().default(false),
}).strict();
type EmailOtpConfig = z.infer<typeof Config>;

function digest(salt: string, code: string): string {
  return createHmac('sha256', salt).update(code).digest('base64url');
}

function matches(state: CodeState, code: string): boolean {
  if (!state.hash || !state.salt) return false;
  return timingSafeEqual(Buffer.from(digest(state.salt, code)), Buffer.from(state.hash));
}

function step(ctx: JourneyContext, config: EmailOtpConfig): StepSpec {
  const what = config.magicLink ? 'a six-digit code and a sign-in link' : 'a six-digit code';
  const who = ctx.login ? ` for ${ctx.login}` : '';
  return {
    type: 'form', title: 'Check your email', fields: [CODE_FIELD],
    description: `If an account exists${who}, we have sent ${what} to its email address. It expires in ${describeLifetime(parseDuration(config.lifetime))}.`,
  };
}

/**
 * A new code for the user, mailed once per visit of the node (each visit has its own attempt
 * number, so a code used up on an earlier visit is never handed out again); a retried prepare
 * gets back the code that was mailed.
 */
async function issue(call: ModuleCallOf<EmailOtpConfig>, previous: CodeState | undefined, deps: ModuleDeps): Promise<CodeState | 'none'> {
  const { ctx, node, config } = call;
  const base = { issuedAt: deps.now().getTime(), attempts: previous?.attempts ?? 0 };
  if (!ctx.user) return base;
  const user = await getUser(deps.db, ctx.tenant, ctx.user.id);
  if (!user) return base;
  if (!user.email) return 'none';
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const salt = randomBytes(16).toString('base64url');
  const link = `${deps.config.publicUrl}/t/${encodeURIComponent(ctx.tenant)}/ui/journey/${encodeURIComponent(ctx.journeyId)}?code=${code}`;
  const receipt = await deps.mail.send({
    tenant: ctx.tenant, to: user.email, template: config.magicLink ? 'login-link' : 'login-code',
    vars: { code, tenant: ctx.tenant, expires: describeLifetime(parseDuration(config.lifetime)), ...(config.magicLink ? { link } : {}) },
    dedupeKey: `email-otp:${ctx.journeyId}:${node}:${call.attempt}`,
    meta: { issuedAt: base.issuedAt, salt, hash: digest(salt, code) },
  });
  const sent = receipt.meta as { issuedAt: number; salt: string; hash: string };
  return { ...base, issuedAt: sent.issuedAt, salt: sent.salt, hash: sent.hash };
}

export const emailOtpModule = defineModule({
  type: 'email-otp',
  config: Config,
  outcomes: ['ok', 'bad', 'locked', 'none'],
  async prepare(call, deps) {
    const { ctx, node, config } = call;
    const state = ctx.nodeState[node] as CodeState | undefined;
    if (state && state.attempts >= config.maxAttempts) return { kind: 'outcome', outcome: 'locked', patch: { error: LOCKED } };
    if (state && deps.now().getTime() - state.issuedAt < parseDuration(config.lifetime)) return { kind: 'step', step: step(ctx, config) };
    const fresh = await issue(call, state, deps);
    if (fresh === 'none') return { kind: 'outcome', outcome: 'none' };
    return { kind: 'step', step: step(ctx, config), patch: { nodeState: fresh } };
  },
  async verify({ ctx, node, config }, values, { now, audit }) {
    const state = ctx.nodeState[node] as CodeState | undefined;
    if (!state) return { outcome: 'bad', errors: [WRONG] };
    if (state.attempts >= config.maxAttempts) return { outcome: 'locked', patch: { error: LOCKED } };
    if (now().getTime() - state.issuedAt >= parseDuration(config.lifetime)) return { outcome: 'bad', errors: [EXPIRED] };
    if (matches(state, values.code!)) return { outcome: 'ok', patch: { amr: ['otp'], nodeState: null } };
    const attempts = state.attempts + 1;
    const locked = attempts >= config.maxAttempts;
    await audit({
      tenant: ctx.tenant, type: locked ? 'login.otp_locked' : 'login.otp_failed', subject: ctx.user?.id, journeyId: ctx.journeyId,
      dedupeKey: `email-otp-failed:${ctx.journeyId}:${node}:${attempts}`,
      data: { node, attempts, ip: ctx.request.ip ?? null, knownAccount: state.hash !== undefined },
    });
    if (locked) return { outcome: 'locked', patch: { nodeState: { ...state, attempts }, error: LOCKED } };
    return { outcome: 'bad', errors: [WRONG], patch: { nodeState: { ...state, attempts } } };
  },
});
