// An admin's "send a password reset link": runs the tenant's own `recovery` journey for the user,
// so the mail, the single-use link, the link page and the new-password step are exactly those of
// a recovery the user starts (link-tokens.ts via the email-link module; the journey moves to the
// browser that follows the link). The journey is bound to a browser nobody has (a random
// binding): only the mailed link can continue it.
// Rules: the identify step is answered with the user's username (unambiguous); a tree whose first
// step asks for something else, or that does not then wait for the link, is refused
// (RecoveryUnavailable), and such a journey is left to expire.
import { randomBytes } from 'node:crypto';
import { sha256 } from '../../../core/infra/secret-token.ts';
import { ensureDefaultTree } from '../../../core/journeys/trees.ts';
import type { User } from '../../../core/accounts/users.ts';
import { JourneyClient, newJourneyId } from '../journeys/journey-client.ts';
import type { AdminDeps } from './operation.ts';

export class RecoveryUnavailable extends Error {}

const TREE = 'recovery';

/** Mails the user a recovery link; returns the journey that waits for it. @throws RecoveryUnavailable */
export async function mailRecoveryLink(deps: AdminDeps, tenant: string, user: User): Promise<{ journeyId: string }> {
  if (!(await ensureDefaultTree(deps.db, tenant, TREE))) throw new RecoveryUnavailable(`tenant "${tenant}" has no recovery tree`);
  const journeys = new JourneyClient(await deps.temporal(), deps.config.taskQueue);
  const binding = sha256(randomBytes(32).toString('base64url'));
  const id = newJourneyId();
  const first = await journeys.start({
    id, tenant, kind: 'recovery', tree: TREE, binding, idleTimeoutMs: deps.config.journeyIdleTimeoutMs, request: { userAgent: 'tessera admin' },
  });
  const step = first.view.step;
  if (first.view.status !== 'waiting' || !step?.fields?.some((f) => f.name === 'username')) {
    throw new RecoveryUnavailable('the recovery tree does not start by asking who the user is');
  }
  const waiting = await journeys.submit(tenant, id, binding, step.id, { username: user.username });
  const fields = waiting.view.step?.fields ?? [];
  if (waiting.view.status !== 'waiting' || waiting.view.step?.type !== 'message' || fields.length > 0) {
    throw new RecoveryUnavailable('the recovery tree does not mail a link after asking who the user is');
  }
  return { journeyId: id };
}
