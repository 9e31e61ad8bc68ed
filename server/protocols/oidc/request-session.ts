// The core SSO session of the request being served, read once: the SSO guard, the provider's
// hooks (which see the same request object through Koa's ctx.req) and the interaction routes
// share it instead of querying again.
import type { Request } from 'express';
import type { Session } from '../../../core/accounts/sessions.ts';
import type { CookieSettings } from '../../cookies.ts';
import type { Db } from '../../../core/infra/db.ts';
import { currentSession } from '../../sso-session.ts';

const sessions = new WeakMap<object, Promise<Session | undefined>>();

export function coreSessionOf(db: Db, req: Request, tenant: string, cookies: CookieSettings): Promise<Session | undefined> {
  let session = sessions.get(req);
  if (!session) sessions.set(req, (session = currentSession(db, req, tenant, cookies)));
  return session;
}
