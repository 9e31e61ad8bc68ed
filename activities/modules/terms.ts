// terms: the user must accept the tenant's current terms of service (`tessera terms add`).
// Rules: no terms, or the current version already accepted → `ok` without a step; otherwise a
// required `accept` checkbox naming the title and URL, and the acceptance of exactly the version
// shown is recorded (once, however often verify is retried); a new version asks again. The
// checkbox is required, so a user can only accept or abandon; `declined` is the outcome when the
// journey has no user to ask.
import { z } from 'zod';
import { currentTerms, hasAccepted, recordAcceptance } from '../../core/accounts/terms.ts';
import { defineModule } from './module.ts';

const NO_USER = { code: 'terms_no_user', message: 'Sign in before accepting the terms.' };

interface Shown { version: number }

export const termsModule = defineModule({
  type: 'terms',
  config: z.object({}).strict(),
  outcomes: ['ok', 'declined'],
  rememberOutcomes: [],
  async prepare({ ctx }, { db }) {
    if (!ctx.user) return { kind: 'outcome', outcome: 'declined', patch: { error: NO_USER } };
    const terms = await currentTerms(db, ctx.tenant);
    if (!terms || await hasAccepted(db, ctx.tenant, ctx.user.id, terms.version)) return { kind: 'outcome', outcome: 'ok' };
    return {
      kind: 'step',
      patch: { nodeState: { version: terms.version } satisfies Shown },
      step: {
        type: 'form',
        title: `Accept the ${terms.title}`,
        description: `Please read the ${terms.title} at ${terms.url} before you continue.`,
        fields: [{ name: 'accept', type: 'checkbox', label: `I accept the ${terms.title} (${terms.url})`, required: true, maxLength: 5 }],
      },
    };
  },
  async verify({ ctx, node }, values, { db }) {
    const shown = ctx.nodeState[node] as Shown | undefined;
    if (!ctx.user || !shown) return { outcome: 'declined', patch: { error: NO_USER } };
    if (values.accept !== 'true') return { outcome: 'declined' };
    await recordAcceptance(db, ctx.tenant, ctx.user.id, shown.version, ctx.journeyId);
    return { outcome: 'ok', patch: { nodeState: null } };
  },
});
