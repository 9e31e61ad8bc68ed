// idp-unlink: unlinks the upstream account (an IdP's subject) the account console named
// (request.remove, the IdP's alias) from the journey user — the console's "Unlink", after
// account-step-up. Rules (account-removal.ts): only a proven user of an account journey, their
// own link only; the only way the user can sign in (no password, no passkey, this one link) is
// refused (`none`, last_sign_in_method), so nobody locks themselves out; audited once per journey.
import { z } from 'zod';
import { passwordSetAt } from '../../core/accounts/users.ts';
import { listCredentials } from '../../core/accounts/webauthn-credentials.ts';
import { listUserLinks, unlinkIdentity } from '../../core/federation/federated-identities.ts';
import { removeOnce, type Removal } from './account-removal.ts';
import { defineModule } from './module.ts';

const link: Removal = {
  auditType: 'account.idp_unlinked',
  targetKey: 'idp',
  missing: { code: 'not_linked', message: 'No account of this provider is linked to yours.' },
  exists: async ({ db }, tenant, userId, idp) => (await listUserLinks(db, tenant, userId)).some((l) => l.idp === idp),
  async refusal({ db }, tenant, userId) {
    const [links, password, passkeys] = await Promise.all([
      listUserLinks(db, tenant, userId), passwordSetAt(db, tenant, userId), listCredentials(db, tenant, userId),
    ]);
    const last = links.length === 1 && password === undefined && passkeys.length === 0;
    return last ? { code: 'last_sign_in_method', message: 'This is the only way you can sign in. Set a password or add a passkey first.' } : undefined;
  },
  remove: ({ db }, tenant, userId, idp) => unlinkIdentity(db, tenant, idp, userId),
};

export const idpUnlinkModule = defineModule({
  type: 'idp-unlink',
  config: z.object({}).strict(),
  outcomes: ['ok', 'none'],
  optionalOutcomes: ['none'],
  rememberOutcomes: [],
  prepare: (call, deps) => removeOnce(link, call, deps),
});
