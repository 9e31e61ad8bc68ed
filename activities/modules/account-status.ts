// account-status: branches on the account's current status (read fresh, not from the journey's
// copy), and explains a pending or disabled account. Placed after the password so that only
// someone who knows the password learns the status.
import { z } from 'zod';
import { getUser } from '../../core/accounts/users.ts';
import { defineModule } from './module.ts';

const MESSAGES = {
  pending: { code: 'account_pending', message: 'Your account is awaiting approval. You will get an email once it is active.' },
  disabled: { code: 'account_disabled', message: 'This account is disabled. Contact your administrator.' },
};

export const accountStatusModule = defineModule({
  type: 'account-status',
  config: z.object({}).strict(),
  outcomes: ['active', 'pending', 'disabled'],
  async prepare({ ctx }, { db }) {
    const user = ctx.user ? await getUser(db, ctx.tenant, ctx.user.id) : undefined;
    const status = user?.status ?? 'disabled';
    if (status === 'active') return { kind: 'outcome', outcome: 'active', patch: { user: { ...ctx.user!, status } } };
    return { kind: 'outcome', outcome: status, patch: { error: MESSAGES[status] } };
  },
});
