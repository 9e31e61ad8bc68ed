// signup: the registration form — email, name, password, the tenant's required profile attributes,
// the current terms and an optional invitation code — and the hand-over to the registration
// workflow, which decides how the account becomes active (invited / verify / moderation).
// Rules: every field is checked before anything is written, and errors re-show the form with what
// was typed (never the password); an email that already has an account creates nothing, mails
// that account's owner instead, and answers exactly what a new account with that email would
// have been told (same outcome and notice), so signup reveals no accounts; an invited account is
// active at once and signs in; everything written is idempotent under a retried activity.
// With `"password": false` the form asks no password: the account gets a passkey instead, from a
// `webauthn` register node after the link sign-in (or after `active`), once the address is proven —
// asking for it at the form would tell a new address from a taken one.
// While the tenant's registration is off, the node refuses (the journey fails with
// `registration_disabled`) in whatever tree and journey it runs, before showing or creating anything;
// and it runs only in a journey whose kind may sign people up (core/journeys/journey-policy.ts:
// `registration`), whatever tree it is in — in a login, recovery or account journey it refuses
// (`tree_not_allowed`), before reading anything, should the start's check ever be bypassed.
import { z } from 'zod';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { JourneyContext, VerifyResult } from '../../core/journeys/journey-context.ts';
import type { Field, StepError, StepSpec } from '../../core/journeys/journey-types.ts';
import { maySignUp } from '../../core/journeys/journey-policy.ts';
import { acceptInvitation, findUsableInvitation } from '../../core/registration/invitations.ts';
import { newPasswordProblem } from '../../core/registration/password-policy.ts';
import { ATTRIBUTE_MAX, getRequiredAttributes, saveAttributes } from '../../core/accounts/profile.ts';
import { activationPolicy, getRegistrationSettings, type ActivationPolicy } from '../../core/registration/registration-settings.ts';
import { activateInvited, createPendingAccount, EMAIL } from '../../core/registration/signup.ts';
import { currentTerms, recordAcceptance } from '../../core/accounts/terms.ts';
import { invitationAcceptedSignal } from '../../workflows/invitation-contracts.ts';
import { registrationWorkflowId, type RegistrationInput } from '../../workflows/registration-contracts.ts';
import { SIGNUP_NOTICE_WORKFLOW, signupNoticeWorkflowId } from '../../workflows/signup-notice-contracts.ts';
import { defineModule, type ModuleDeps } from './module.ts';

const FIXED = new Set(['email', 'name', 'password', 'accept', 'invitation']);

/** What the form shows besides the fixed fields, and what was typed before (never the password). */
interface FormState {
  /** The form asks for a password (the node's `password` config). */
  password: boolean;
  attributes: string[];
  terms?: { version: number; title: string; url: string };
  /** The tenant takes invited people only. */
  inviteOnly?: boolean;
  draft?: Record<string, string>;
}

function form(state: FormState): StepSpec {
  const typed = (name: string) => (state.draft?.[name] ? { value: state.draft[name] } : {});
  const fields: Field[] = [
    { name: 'email', type: 'email', label: 'Email', required: true, autocomplete: 'email', maxLength: 254, ...typed('email') },
    { name: 'name', type: 'text', label: 'Full name', required: true, autocomplete: 'name', maxLength: ATTRIBUTE_MAX, ...typed('name') },
    ...(state.password ? [{ name: 'password', type: 'password', label: 'Password', required: true, autocomplete: 'new-password', maxLength: 256 } satisfies Field] : []),
    ...state.attributes.map((key): Field => ({
      name: key, type: 'text', label: `${key.charAt(0).toUpperCase()}${key.slice(1).replace(/_/g, ' ')}`, required: true, maxLength: ATTRIBUTE_MAX, ...typed(key),
    })),
    {
      name: 'invitation', type: 'text', label: state.inviteOnly ? 'Invitation code' : 'Invitation code (if you have one)',
      required: state.inviteOnly === true, autocomplete: 'off', maxLength: 100, ...typed('invitation'),
    },
  ];
  if (state.terms) fields.push({ name: 'accept', type: 'checkbox', label: `I accept the ${state.terms.title} (${state.terms.url})`, required: true, maxLength: 5 });
  return { type: 'form', title: 'Create your account', fields };
}

function notice(policy: ActivationPolicy, email: string) {
  return policy === 'moderation'
    ? { code: 'awaiting_approval', message: `Thank you. An administrator will review your account; we will write to ${email} when it is ready.` }
    : { code: 'verification_sent', message: `We have sent a link to ${email}. Follow it to activate your account.` };
}

function oneLine(value: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  return (value ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** Starts a workflow unless this (retried) activity already did. */
async function startOnce(deps: ModuleDeps, workflow: string, workflowId: string, input: unknown): Promise<void> {
  if (!deps.temporal) throw new Error('signup needs a Temporal client');
  try {
    await deps.temporal.workflow.start(workflow, { workflowId, taskQueue: deps.config.taskQueue, args: [input] });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

export function startRegistration(deps: ModuleDeps, input: RegistrationInput): Promise<void> {
  return startOnce(deps, 'registrationWorkflow', registrationWorkflowId(input.tenant, input.userId), input);
}

/** Tells the invitation's workflow it was used, so it ends now instead of at its expiry. */
async function signalAccepted(deps: ModuleDeps, workflowId: string, userId: string): Promise<void> {
  try {
    await deps.temporal?.workflow.getHandle(workflowId).signal(invitationAcceptedSignal, { userId });
  } catch {
    // Finished already (expired or revoked just now): the invitation row decides, not the workflow.
  }
}

/** @throws ApplicationFailure (non-retryable, RegistrationDisabled) while registration is off. */
function refuseWhenClosed(settings: { enabled: boolean }): void {
  if (!settings.enabled) throw ApplicationFailure.nonRetryable('registration is disabled for this tenant', 'RegistrationDisabled');
}

/** @throws ApplicationFailure (non-retryable, TreeNotAllowed) in a journey that may not sign people up. */
function refuseOutsideRegistration(ctx: JourneyContext): void {
  if (!maySignUp(ctx.kind)) throw ApplicationFailure.nonRetryable(`a ${ctx.kind} journey cannot sign people up`, 'TreeNotAllowed');
}

async function check(ctx: JourneyContext, state: FormState, values: Record<string, string>, deps: ModuleDeps) {
  const errors: StepError[] = [];
  const email = oneLine(values.email).toLowerCase();
  const name = oneLine(values.name);
  if (!EMAIL.test(email)) errors.push({ field: 'email', code: 'invalid_email', message: 'Enter a valid email address.' });
  if (!name) errors.push({ field: 'name', code: 'required', message: 'Enter your name.' });
  const settings = await getRegistrationSettings(deps.db, ctx.tenant);
  refuseWhenClosed(settings);
  const weak = state.password ? newPasswordProblem(values.password ?? '', settings.password, email) : undefined;
  if (weak) errors.push({ field: 'password', code: 'weak_password', message: weak });
  for (const key of state.attributes) {
    if (!oneLine(values[key])) errors.push({ field: key, code: 'required', message: 'This field is required.' });
  }
  if (state.terms && values.accept !== 'true') errors.push({ field: 'accept', code: 'terms_required', message: 'Accept the terms to continue.' });
  const code = oneLine(values.invitation);
  let invitation: { id: string; workflowId: string } | undefined;
  if (code && errors.length === 0) {
    invitation = await findUsableInvitation(deps.db, ctx.tenant, code, email);
    if (!invitation) errors.push({ field: 'invitation', code: 'invalid_invitation', message: 'This invitation is not valid for this email address, or it has expired.' });
  } else if (!code && settings.inviteOnly) {
    errors.push({ field: 'invitation', code: 'invitation_required', message: 'Signing up here needs an invitation.' });
  }
  return { errors, email, name, code, invitation, settings };
}

export const signupModule = defineModule({
  type: 'signup',
  config: z.object({ password: z.boolean().default(true) }).strict(),
  outcomes: ['active', 'pending', 'bad'],
  rememberOutcomes: [],
  async prepare({ ctx, node, config }, { db }) {
    refuseOutsideRegistration(ctx);
    const previous = ctx.nodeState[node] as FormState | undefined;
    const settings = await getRegistrationSettings(db, ctx.tenant);
    refuseWhenClosed(settings);
    const terms = await currentTerms(db, ctx.tenant);
    const { inviteOnly } = settings;
    const state: FormState = {
      password: config.password,
      attributes: (await getRequiredAttributes(db, ctx.tenant)).filter((key) => !FIXED.has(key)),
      ...(terms ? { terms: { version: terms.version, title: terms.title, url: terms.url } } : {}),
      ...(inviteOnly ? { inviteOnly } : {}),
      ...(previous?.draft ? { draft: previous.draft } : {}),
    };
    return { kind: 'step', step: form(state), patch: { nodeState: state } };
  },
  async verify({ ctx, node }, values, deps): Promise<VerifyResult> {
    refuseOutsideRegistration(ctx);
    const state = (ctx.nodeState[node] as FormState | undefined) ?? { password: true, attributes: [] };
    const { errors, email, name, code, invitation, settings } = await check(ctx, state, values, deps);
    const draft = Object.fromEntries(['email', 'name', 'invitation', ...state.attributes].filter((k) => values[k]).map((k) => [k, oneLine(values[k])]));
    if (errors.length > 0) return { outcome: 'bad', errors, patch: { nodeState: { ...state, draft } } };

    const account = await createPendingAccount(deps.db, {
      tenant: ctx.tenant, journeyId: ctx.journeyId, email, name, ...(state.password ? { password: values.password! } : {}),
    });
    if (!account.created) {
      if (invitation) {
        const used = { field: 'invitation', code: 'invalid_invitation', message: 'This invitation can no longer be used. Sign in instead.' };
        return { outcome: 'bad', errors: [used], patch: { nodeState: { ...state, draft } } };
      }
      // The owner of the address learns of the attempt; the person at the form learns nothing.
      await startOnce(deps, SIGNUP_NOTICE_WORKFLOW, signupNoticeWorkflowId(ctx.tenant, ctx.journeyId), { tenant: ctx.tenant, to: email, journeyId: ctx.journeyId });
      return { outcome: 'pending', patch: { user: null, nodeState: null, notice: notice(activationPolicy(settings, email, false), email) } };
    }

    const userId = account.userId;
    const attributes = Object.fromEntries(state.attributes.map((key) => [key, oneLine(values[key])]));
    if (Object.keys(attributes).length > 0) await saveAttributes(deps.db, ctx.tenant, userId, attributes);
    if (state.terms) await recordAcceptance(deps.db, ctx.tenant, userId, state.terms.version, ctx.journeyId);
    let invited = false;
    if (invitation) {
      const accepted = await acceptInvitation(deps.db, ctx.tenant, code, email, userId);
      invited = accepted.ok;
      if (accepted.ok) await signalAccepted(deps, accepted.workflowId, userId);
    }
    const policy = activationPolicy(settings, email, invited);
    if (policy === 'invited') await activateInvited(deps.db, ctx.tenant, userId);
    await startRegistration(deps, { tenant: ctx.tenant, userId, policy, journeyId: ctx.journeyId });
    await deps.audit({ tenant: ctx.tenant, type: 'registration.started', subject: userId, journeyId: ctx.journeyId, dedupeKey: `registration-started:${userId}`, data: { policy } });
    const user = { id: userId, username: email, status: policy === 'invited' ? 'active' as const : 'pending' as const };
    if (policy === 'invited') return { outcome: 'active', patch: { user, login: email, amr: state.password ? ['pwd'] : [], nodeState: null } };
    return { outcome: 'pending', patch: { user, login: email, nodeState: null, notice: notice(policy, email) } };
  },
});
