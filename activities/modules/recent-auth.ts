// recent-auth: whether the signed-in user proved who they are recently enough to change their
// account without proving it again (the account console's step-up, tree `account-step-up`).
// Rules: only an account journey knows the session it runs for (request.account, set by the
// server from the SSO session cookie, never from a client's body); anything else is `stale`. A
// session signed in less than `within` ago (default 5 minutes) is `fresh`, and the journey then
// carries over what that session proved (its AMR), so a later node that needs a proven user
// (new-password) accepts it; `stale` leads a tree to ask for a password or passkey.
import { z } from 'zod';
import { isDuration, parseDuration } from '../../core/infra/duration.ts';
import { defineModule } from './module.ts';

export const recentAuthModule = defineModule({
  type: 'recent-auth',
  config: z.object({ within: z.string().refine(isDuration, 'a duration such as 5m').default('5m') }).strict(),
  outcomes: ['fresh', 'stale'],
  rememberOutcomes: [],
  async prepare({ ctx, config }, { now }) {
    const session = ctx.request.account;
    const fresh = session !== undefined && ctx.user?.id === session.userId && session.amr.length > 0
      && now().getTime() - session.authTime <= parseDuration(config.within);
    return fresh ? { kind: 'outcome', outcome: 'fresh', patch: { amr: [...session.amr] } } : { kind: 'outcome', outcome: 'stale' };
  },
});
