// link-proof: signs in the user named by a mailed link the server has just consumed (an email
// verification or the sign-in link sent on approval). The server alone sets the proof (in
// JourneyRequest.proof), only after using up the link; a journey started through the Journey API
// never carries one, so this node then answers `none`.
// AMR: `otp` — following a single-use secret sent to the user's mailbox is a one-time password
// delivered out of band (RFC 8176 has no value for email).
import { z } from 'zod';
import { getUser } from '../../core/accounts/users.ts';
import { defineModule } from './module.ts';

export const linkProofModule = defineModule({
  type: 'link-proof',
  config: z.object({}).strict(),
  outcomes: ['ok', 'none'],
  rememberOutcomes: [],
  async prepare({ ctx }, { db }) {
    const proof = ctx.request.proof;
    if (!proof) return { kind: 'outcome', outcome: 'none' };
    const user = await getUser(db, ctx.tenant, proof.userId);
    if (!user) return { kind: 'outcome', outcome: 'none' };
    return {
      kind: 'outcome', outcome: 'ok',
      patch: { login: user.email ?? user.username, user: { id: user.id, username: user.username, status: user.status }, amr: ['otp'] },
    };
  },
});
