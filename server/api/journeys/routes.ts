// The Journey API (DESIGN.md §4): start, read and answer journeys of a tenant. Which tree a
// journey kind may start on is checked first (start-policy.ts); a step's input with control
// characters is refused before it reaches the journey (step-input.ts). An `account` journey (the
// account console's changes: trees account-*) starts only for the browser's signed-in user: the
// server names that user and session from the SSO session cookie (request.stepUp and
// request.account), never from the body; without a live session it is refused with 401. An
// account journey may name an upstream IdP to link (`idp`: an enabled IdP of the tenant, else 400
// unknown_idp), which becomes request.link, or what it removes (`remove`: a passkey's credential
// id or a linked IdP's alias, which the tree's removing node looks up among the user's own), which
// becomes request.remove; no other journey may name either.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../../../core/infra/db.ts';
import type { Session } from '../../../core/accounts/sessions.ts';
import type { JourneyKind, JourneyRequest } from '../../../core/journeys/journey-types.ts';
import type { CookieSettings } from '../../cookies.ts';
import { getIdp } from '../../../core/federation/identity-providers.ts';
import { HttpError } from '../../http-error.ts';
import { jsonBody } from '../../middleware/json-body.ts';
import { databaseReachable } from '../../middleware/database-reachable.ts';
import { completeLogin, currentSession } from '../../sso-session.ts';
import { ensureDevice } from '../../device-cookie.ts';
import { bindingOf, ensureBinding } from './browser-binding.ts';
import { JourneyFinished, newJourneyId, type JourneyClient } from './journey-client.ts';
import { checkJourneyStart } from './start-policy.ts';
import { tenantLoginTree } from '../../../core/tenants/login-tree.ts';
import { uncleanFields } from './step-input.ts';

const StartBody = z.object({
  kind: z.enum(['login', 'registration', 'recovery', 'account']),
  tree: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/).optional(),
  idp: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/).optional(),
  remove: z.string().regex(/^[A-Za-z0-9_-]{1,1400}$/).optional(),
}).strict()
  .refine((b) => b.kind !== 'account' || b.tree !== undefined, { message: 'an account journey names its tree', path: ['tree'] })
  .refine((b) => b.kind === 'account' || b.idp === undefined, { message: 'only an account journey links an identity provider', path: ['idp'] })
  .refine((b) => b.kind === 'account' || b.remove === undefined, { message: 'only an account journey removes something', path: ['remove'] });

export interface JourneyRouteDeps { db: Db; journeys: JourneyClient; cookies: CookieSettings; idleTimeoutMs: number }

function requestInfo(req: Request) {
  return { ip: req.ip, userAgent: req.get('user-agent')?.slice(0, 300) };
}

/** Where a new journey's remembered results come from: the browser's SSO session and device. */
function rememberScopes(req: Request, res: Response, tenant: string, cookies: CookieSettings, session: Session | undefined) {
  return { ...(session ? { ssoId: session.ssoId } : {}), deviceId: ensureDevice(req, res, tenant, cookies) };
}

/** An account journey's user: the session's, with nothing counted as proven (account-step-up asks). */
function accountOf(session: Session): Pick<JourneyRequest, 'stepUp' | 'account'> {
  return {
    stepUp: { userId: session.userId, amr: [] },
    account: { userId: session.userId, authTime: session.authTime.getTime(), amr: [...session.amr] },
  };
}

export function journeyRoutes({ db, journeys, cookies, idleTimeoutMs }: JourneyRouteDeps): Router {
  const router = Router({ mergeParams: true });

  router.post('/', jsonBody, databaseReachable(db), async (req, res) => {
    const body = StartBody.safeParse(req.body);
    if (!body.success) throw new HttpError(400, 'invalid_request', body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const tenant = req.tenant!.id;
    const tree = body.data.tree ?? (body.data.kind === 'login' ? await tenantLoginTree(db, tenant) : body.data.kind);
    const kind: JourneyKind = body.data.kind;
    const session = await currentSession(db, req, tenant, cookies);
    if (kind === 'account' && !session) throw new HttpError(401, 'login_required', 'Sign in first: account changes are for the signed-in user.');
    const bundle = await checkJourneyStart(db, tenant, kind, tree, { stepUp: kind === 'account' });
    const idp = body.data.idp;
    if (idp !== undefined && !(await getIdp(db, tenant, idp))?.enabled) throw new HttpError(400, 'unknown_idp', `There is no identity provider "${idp}" to link.`);
    const binding = ensureBinding(req, res, tenant, cookies);
    const snapshot = await journeys.start({
      id: newJourneyId(), tenant, kind, tree, binding, idleTimeoutMs, bundle,
      request: { ...requestInfo(req), ...rememberScopes(req, res, tenant, cookies, session), ...(kind === 'account' ? accountOf(session!) : {}), ...(idp ? { link: { idp } } : {}), ...(body.data.remove ? { remove: body.data.remove } : {}) },
    });
    await completeLogin(db, req, res, snapshot, cookies);
    res.status(201).json(snapshot.view);
  });

  router.get('/:id', async (req, res) => {
    const snapshot = await journeys.read(req.tenant!.id, String(req.params.id), bindingOf(req, cookies));
    // A browser that lost the response to its last submit still gets its session here.
    await completeLogin(db, req, res, snapshot, cookies);
    res.json(snapshot.view);
  });

  router.post('/:id/steps/:stepId', jsonBody, databaseReachable(db), async (req, res) => {
    const stepId = String(req.params.stepId);
    const unclean = uncleanFields(req.body);
    if (unclean.length > 0) throw await journeys.invalidInput(req.tenant!.id, String(req.params.id), bindingOf(req, cookies), unclean);
    let snapshot;
    try {
      snapshot = await journeys.submit(req.tenant!.id, String(req.params.id), bindingOf(req, cookies), stepId, req.body);
    } catch (err) {
      // The journey finished without this answer reaching the browser (e.g. it was carried out
      // after a 503): the session is set with the 409, as a read of the journey would set it.
      if (err instanceof JourneyFinished) await completeLogin(db, req, res, err.snapshot, cookies);
      throw err;
    }
    await completeLogin(db, req, res, snapshot, cookies);
    res.json(snapshot.view);
  });

  return router;
}
