// What the SAML IdP routes need from the server (one object, built in server/app.ts).
import type { Request, Response } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../../../core/infra/config.ts';
import type { Db } from '../../../core/infra/db.ts';
import type { CookieSettings } from '../../cookies.ts';
import type { JourneyClient } from '../../api/journeys/journey-client.ts';

export interface SamlDeps {
  db: Db;
  config: Config;
  temporal: Client;
  journeys: JourneyClient;
  cookies: CookieSettings;
  idleTimeoutMs: number;
  /** What other protocols end along with the core session at a SAML logout (as /api/session/logout). */
  onLogout?: ((req: Request, res: Response, tenant: string) => Promise<void>)[];
}

/** The IdP's URLs for a tenant; the entity id is the metadata URL. */
export function idpUrls(publicUrl: string, tenant: string) {
  const base = `${publicUrl}/t/${encodeURIComponent(tenant)}/saml`;
  return { entityId: `${base}/metadata`, metadata: `${base}/metadata`, sso: `${base}/sso`, slo: `${base}/slo`, resume: `${base}/resume` };
}
