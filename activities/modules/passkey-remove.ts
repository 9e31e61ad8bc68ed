// passkey-remove: removes one passkey of the journey user's, the one the account console named
// (request.remove, a credential id) — the console's "Remove" of a passkey, after account-step-up.
// Rules (account-removal.ts): only a proven user of an account journey, their own passkey only
// (another user's id is `none`, as if it did not exist); audited once per journey; never a step.
import { z } from 'zod';
import { deleteCredential, listCredentials } from '../../core/accounts/webauthn-credentials.ts';
import { removeOnce, type Removal } from './account-removal.ts';
import { defineModule } from './module.ts';

const passkey: Removal = {
  auditType: 'account.passkey_removed',
  targetKey: 'credentialId',
  missing: { code: 'no_passkey', message: 'You have no such passkey. It may have been removed already.' },
  exists: async ({ db }, tenant, userId, id) => (await listCredentials(db, tenant, userId)).some((p) => p.id === id),
  remove: ({ db }, tenant, userId, id) => deleteCredential(db, tenant, userId, id),
};

export const passkeyRemoveModule = defineModule({
  type: 'passkey-remove',
  config: z.object({}).strict(),
  outcomes: ['ok', 'none'],
  optionalOutcomes: ['none'],
  rememberOutcomes: [],
  prepare: (call, deps) => removeOnce(passkey, call, deps),
});
