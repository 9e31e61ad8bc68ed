// email-link: mails a single-use link (core/journeys/link-tokens.ts) that answers this step when followed,
// in whichever browser opens it: the journey moves there (password recovery).
// Rules: only the link's sha256 and expiry are kept (nodeState; the token exists only in the mail);
// a retried prepare never mails twice and keeps the hash that went out (dedupe key journey + node
// + visit); an unknown account, or one without an email, gets the same step and the same wait,
// no mail, and a random hash that no token matches, and prepare takes no less time (the same
// lookups, and a floor under both paths), so the step does not tell whether an account exists;
// verify accepts only the current link's hash, before it expires, for a known account; the
// result is never remembered (a remembered link would let a later recovery skip the mailbox).
// AMR: `otp`. RFC 8176 has no value for email; the link is a one-time secret sent out of band, as
// email-otp's code is, and RPs know `otp`.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { isDuration, parseDuration } from '../../core/infra/duration.ts';
import { hashToken, peekLink, sendLink } from '../../core/journeys/link-tokens.ts';
import type { JourneyContext } from '../../core/journeys/journey-context.ts';
import type { StepSpec } from '../../core/journeys/journey-types.ts';
import { describeLifetime } from '../../core/infra/mail-templates.ts';
import { getUser } from '../../core/accounts/users.ts';
import { defineModule, type ModuleCallOf, type ModuleDeps } from './module.ts';

const MIN_LIFETIME_MS = 60_000;
const MAX_LIFETIME_MS = 24 * 3_600_000;
/**
 * Neither path returns sooner than this after it began: covers a mail relay that accepts within
 * it (a local MTA does), so a mailed link is not told from an unmailed one by the answer's delay.
 */
export const PREPARE_FLOOR_MS = 400;

const BAD_LINK = { code: 'invalid_link', message: 'This link is not valid for this request. Please start again.' };
const EXPIRED_LINK = { code: 'link_expired', message: 'This link has expired. Please start again to get a new one.' };

/** The link in force. Without a mailed link (unknown account) `hash` matches no token. */
interface LinkState { hash: string; expiresAt: number }

const Lifetime = z.string().refine(isDuration, 'must be a duration such as 30m or 2h')
  .refine((d) => !isDuration(d) || (parseDuration(d) >= MIN_LIFETIME_MS && parseDuration(d) <= MAX_LIFETIME_MS), 'must be between 1m and 24h');

const Config = z.object({ lifetime: Lifetime.default('30m') }).strict();
type EmailLinkConfig = z.infer<typeof Config>;

function step(ctx: JourneyContext, config: EmailLinkConfig): StepSpec {
  const who = ctx.login ? ` for ${ctx.login}` : '';
  return {
    type: 'message', title: 'Check your email',
    description: `If an account exists${who}, we have sent a link to its email address. Open it to continue; it can be used once and expires in ${describeLifetime(parseDuration(config.lifetime))}.`,
  };
}

/** Mails the link to a known account with an email; anyone else gets a hash nobody holds. */
async function issue(call: ModuleCallOf<EmailLinkConfig>, deps: ModuleDeps): Promise<LinkState> {
  const { ctx, node, config } = call;
  const now = deps.now();
  const ttlMs = parseDuration(config.lifetime);
  const dedupeKey = `recovery:${ctx.journeyId}:${node}:${call.attempt}`;
  // A random id for an unknown account, so both paths read the users table once.
  const user = await getUser(deps.db, ctx.tenant, ctx.user?.id ?? randomUUID());
  if (!user?.email) {
    // A token that is never sent: its hash is what the journey waits for, so nothing answers it.
    const token = randomBytes(32).toString('base64url');
    await peekLink(deps.db, ctx.tenant, token);
    return { hash: hashToken(token), expiresAt: now.getTime() + ttlMs };
  }
  const sent = await sendLink(deps.db, deps.mail, deps.config.publicUrl, {
    tenant: ctx.tenant, purpose: 'recovery', to: user.email, template: 'recovery-link', ttlMs, dedupeKey,
    userId: user.id, workflowId: ctx.journeyId,
  }, now);
  return { hash: sent.hash, expiresAt: sent.expiresAt };
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const emailLinkModule = defineModule({
  type: 'email-link',
  config: Config,
  outcomes: ['ok', 'bad'],
  rememberOutcomes: [],
  async prepare(call, deps) {
    const { ctx, node, config } = call;
    const started = performance.now();
    const kept = ctx.nodeState[node] as LinkState | undefined;
    const state = kept && kept.expiresAt > deps.now().getTime() ? kept : await issue(call, deps);
    const left = PREPARE_FLOOR_MS - (performance.now() - started);
    if (left > 0) await sleep(left);
    return {
      kind: 'step', step: step(ctx, config), patch: { nodeState: state },
      link: { hash: state.hash, expiresAt: state.expiresAt },
      waitMs: Math.max(1, state.expiresAt - deps.now().getTime()),
    };
  },
  async verify({ ctx, node }, values, { now }) {
    const state = ctx.nodeState[node] as LinkState | undefined;
    const hash = values['#link'];
    if (!state || !ctx.user || typeof hash !== 'string' || !sameHash(hash, state.hash)) {
      return { outcome: 'bad', errors: [BAD_LINK], patch: { nodeState: null, error: BAD_LINK } };
    }
    if (now().getTime() >= state.expiresAt) {
      return { outcome: 'bad', errors: [EXPIRED_LINK], patch: { nodeState: null, error: EXPIRED_LINK } };
    }
    return { outcome: 'ok', patch: { amr: ['otp'], nodeState: null } };
  },
});
