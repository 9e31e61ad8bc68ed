// totp-remove: removes the journey user's authenticator app (the account console's "remove").
// Rules: only for a journey that has proven who the user is (some AMR, e.g. account-step-up):
// placed where nobody was proven it answers `none` and removes nothing; removing is idempotent
// (a retried activity finds nothing left) and audited once per journey; never shows a step.
import { z } from 'zod';
import { deleteTotp } from '../../core/accounts/totp.ts';
import { defineModule } from './module.ts';

const NOT_PROVEN = { code: 'not_proven', message: 'We could not confirm who you are. Please start again.' };

export const totpRemoveModule = defineModule({
  type: 'totp-remove',
  config: z.object({}).strict(),
  outcomes: ['ok', 'none'],
  optionalOutcomes: ['none'],
  rememberOutcomes: [],
  async prepare({ ctx, node }, { db, audit }) {
    if (!ctx.user || ctx.amr.length === 0) return { kind: 'outcome', outcome: 'none', patch: { error: NOT_PROVEN } };
    const removed = await deleteTotp(db, ctx.tenant, ctx.user.id);
    if (removed) {
      await audit({ tenant: ctx.tenant, type: 'totp.removed', subject: ctx.user.id, journeyId: ctx.journeyId, dedupeKey: `totp-removed:${ctx.journeyId}:${node}`, data: { node } });
    }
    return { kind: 'outcome', outcome: 'ok' };
  },
});
