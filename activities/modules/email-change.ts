// email-change: the journey user changes their email address (the account console, tree
// account-email). One node, two steps: it asks for the new address, then (routed back to itself
// with `sent`) mails a single-use link there (core/journeys/link-tokens.ts) and waits for it.
// Rules: only for a journey that has proven who the user is (some AMR, e.g. account-step-up),
// else `none` and nothing changes; the address must be well formed, not the current one and not
// another account's of the tenant (refused as taken, never saying whose; checked again when the
// change is made); nothing changes until the link mailed to the NEW address is followed — in the
// browser the journey belongs to only (sameBrowser: whoever reads that mailbox gets no session),
// before it expires; then the email is set as verified, `email.changed` is audited once, and the
// old address gets a notice (`email-changed`; a notice that cannot be sent does not undo the
// change). Only the link's hash and expiry are kept (nodeState). Never remembered.
import { z } from 'zod';
import { timingSafeEqual } from 'node:crypto';
import { emailTakenByOther, getUser, isEmailAddress, updateUser, UserConflictError, UserInputError } from '../../core/accounts/users.ts';
import { isDuration, parseDuration } from '../../core/infra/duration.ts';
import { MailError } from '../../core/infra/mail.ts';
import { describeLifetime } from '../../core/infra/mail-templates.ts';
import { sendLink } from '../../core/journeys/link-tokens.ts';
import type { StepError, StepSpec } from '../../core/journeys/journey-types.ts';
import { defineModule, type ModuleCallOf, type ModuleDeps } from './module.ts';

const NOT_PROVEN = { code: 'not_proven', message: 'We could not confirm who you are. Please start again.' };
const TAKEN: StepError = { field: 'email', code: 'email_taken', message: 'This address belongs to another account here. Use another one.' };
const SAME: StepError = { field: 'email', code: 'email_unchanged', message: 'This is already your email address.' };
const MALFORMED: StepError = { field: 'email', code: 'invalid_email', message: 'Enter an email address such as name@example.com.' };
const BAD_LINK: StepError = { code: 'invalid_link', message: 'This link is not valid for this request. Enter the new address again.' };
const EXPIRED_LINK: StepError = { code: 'link_expired', message: 'The link has expired. Enter the new address again to get a new one.' };

/** The address asked for; once mailed, the link in force for it. */
interface ChangeState { email: string; hash?: string; expiresAt?: number }

const Lifetime = z.string().refine(isDuration, 'must be a duration such as 30m or 2h')
  .refine((d) => !isDuration(d) || (parseDuration(d) >= 60_000 && parseDuration(d) <= 24 * 3_600_000), 'must be between 1m and 24h');
const Config = z.object({ lifetime: Lifetime.default('30m') }).strict();
type EmailChangeConfig = z.infer<typeof Config>;

const proven = (call: ModuleCallOf<EmailChangeConfig>) => call.ctx.user !== undefined && call.ctx.amr.length > 0;

function askStep(current: string | null): StepSpec {
  return {
    type: 'form', title: 'Change your email address',
    description: `${current ? `Your address is ${current}. ` : ''}We will send a link to the new address; it becomes yours when you open the link.`,
    fields: [{ name: 'email', type: 'email', label: 'New email address', required: true, autocomplete: 'email', maxLength: 254 }],
  };
}

function waitStep(email: string, lifetime: string): StepSpec {
  return {
    type: 'message', title: 'Check your email',
    description: `We sent a link to ${email}. Open it in this browser to make it your email address; it can be used once and expires in ${describeLifetime(parseDuration(lifetime))}. Until then nothing changes.`,
  };
}

async function mailLink(call: ModuleCallOf<EmailChangeConfig>, deps: ModuleDeps, email: string): Promise<Required<ChangeState>> {
  const { ctx, node, config, attempt } = call;
  const sent = await sendLink(deps.db, deps.mail, deps.config.publicUrl, {
    tenant: ctx.tenant, purpose: 'email-change', to: email, template: 'email-change-link', ttlMs: parseDuration(config.lifetime),
    dedupeKey: `email-change:${ctx.journeyId}:${node}:${attempt}`, userId: ctx.user!.id, workflowId: ctx.journeyId,
  }, deps.now());
  return { email, hash: sent.hash, expiresAt: sent.expiresAt };
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The link was followed: the address is proven, so it becomes the user's (verified). */
async function change(call: ModuleCallOf<EmailChangeConfig>, deps: ModuleDeps, email: string) {
  const { ctx, node } = call;
  const before = await getUser(deps.db, ctx.tenant, ctx.user!.id);
  if (!before) return { outcome: 'none', patch: { error: NOT_PROVEN, nodeState: null } };
  try {
    await updateUser(deps.db, ctx.tenant, before.id, { email, emailVerified: true });
  } catch (err) {
    if (err instanceof UserConflictError) return { outcome: 'retry', errors: [TAKEN], patch: { nodeState: null } };
    if (err instanceof UserInputError) return { outcome: 'retry', errors: [MALFORMED], patch: { nodeState: null } };
    throw err;
  }
  // A retried activity finds the address already changed: `before.email` is then the new one.
  const previous = before.email !== email ? before.email : undefined;
  await deps.audit({
    tenant: ctx.tenant, type: 'email.changed', subject: before.id, journeyId: ctx.journeyId,
    dedupeKey: `email-changed:${ctx.journeyId}:${node}`, data: { node, ...(previous ? { previous } : {}), email },
  });
  if (previous) {
    try {
      await deps.mail.send({
        tenant: ctx.tenant, to: previous, template: 'email-changed', vars: { tenant: ctx.tenant, new_email: email },
        dedupeKey: `email-changed:${ctx.journeyId}:${node}`,
      });
    } catch (err) {
      if (!(err instanceof MailError)) throw err;
    }
  }
  return { outcome: 'ok', patch: { login: email, nodeState: null } };
}

export const emailChangeModule = defineModule({
  type: 'email-change',
  config: Config,
  outcomes: ['ok', 'sent', 'retry', 'none'],
  optionalOutcomes: ['none'],
  rememberOutcomes: [],
  async prepare(call, deps) {
    const { ctx, node, config } = call;
    if (!proven(call)) return { kind: 'outcome', outcome: 'none', patch: { error: NOT_PROVEN } };
    const kept = ctx.nodeState[node] as ChangeState | undefined;
    if (!kept) {
      const user = await getUser(deps.db, ctx.tenant, ctx.user!.id);
      return { kind: 'step', step: askStep(user?.email ?? null) };
    }
    const live = kept.hash && kept.expiresAt! > deps.now().getTime() ? kept as Required<ChangeState> : await mailLink(call, deps, kept.email);
    return {
      kind: 'step', step: waitStep(live.email, config.lifetime), patch: { nodeState: live },
      link: { hash: live.hash, expiresAt: live.expiresAt, sameBrowser: true },
      waitMs: Math.max(1, live.expiresAt - deps.now().getTime()),
    };
  },
  async verify(call, values, deps) {
    const { ctx, node } = call;
    if (!proven(call)) return { outcome: 'none', patch: { error: NOT_PROVEN, nodeState: null } };
    const kept = ctx.nodeState[node] as ChangeState | undefined;
    const hash = values['#link'];
    if (typeof hash === 'string') {
      if (!kept?.hash || !sameHash(hash, kept.hash)) return { outcome: 'retry', errors: [BAD_LINK], patch: { nodeState: null } };
      if (deps.now().getTime() >= kept.expiresAt!) return { outcome: 'retry', errors: [EXPIRED_LINK], patch: { nodeState: null } };
      return change(call, deps, kept.email);
    }
    const email = (values.email ?? '').trim().toLowerCase();
    if (!isEmailAddress(email)) return { outcome: 'retry', errors: [MALFORMED] };
    const user = await getUser(deps.db, ctx.tenant, ctx.user!.id);
    if (!user) return { outcome: 'none', patch: { error: NOT_PROVEN } };
    if (user.email === email) return { outcome: 'retry', errors: [SAME] };
    if (await emailTakenByOther(deps.db, ctx.tenant, email, user.id)) return { outcome: 'retry', errors: [TAKEN] };
    return { outcome: 'sent', patch: { nodeState: { email } satisfies ChangeState } };
  },
});
