// Ending a browser's core SSO session, whichever protocol asks: the back-channel logout workflow
// is started for the session family first (so a failure to reach Temporal leaves the session
// alive and the user can simply try again: nothing is lost), then the session row is revoked and
// its cookie cleared.
import type { Request, Response } from 'express';
import type { Client } from '@temporalio/client';
import type { Db } from '../core/infra/db.ts';
import type { Session } from '../core/accounts/sessions.ts';
import { recordAudit } from '../core/infra/audit.ts';
import {
  BACKCHANNEL_LOGOUT_WORKFLOW, backchannelLogoutWorkflowId, type BackchannelLogoutInput,
} from '../workflows/backchannel-logout-contracts.ts';
import type { CookieSettings } from './cookies.ts';
import { currentSession, endSession } from './sso-session.ts';

export interface LogoutDeps { db: Db; temporal: Client; taskQueue: string; cookies: CookieSettings }

/** Tells every relying party of the session family (or of one user in it) that it ended. */
export async function startBackchannelLogout(temporal: Client, taskQueue: string, input: BackchannelLogoutInput): Promise<void> {
  await temporal.workflow.start(BACKCHANNEL_LOGOUT_WORKFLOW, {
    workflowId: backchannelLogoutWorkflowId(input), taskQueue, args: [input], workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

/** Ends this browser's core SSO session; returns it, or undefined when there was none live. */
export async function logOut(deps: LogoutDeps, req: Request, res: Response, tenant: string): Promise<Session | undefined> {
  const session = await currentSession(deps.db, req, tenant, deps.cookies);
  if (session) await startBackchannelLogout(deps.temporal, deps.taskQueue, { tenant, ssoId: session.ssoId });
  const ended = await endSession(deps.db, req, res, tenant, deps.cookies);
  // One event per ended session whichever protocol asked (webhooks' session.ended follows it).
  if (ended) {
    await recordAudit(deps.db, {
      tenant, type: 'session.ended', actor: `user:${ended.userId}`, subject: ended.userId,
      dedupeKey: `session.ended:${ended.id}`, data: { session: ended.id, by: 'logout' },
    });
  }
  return session;
}
