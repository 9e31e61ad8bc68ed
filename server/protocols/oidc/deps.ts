// What every part of the OIDC protocol needs from the server (one object, built in server/app.ts).
import type { Client } from '@temporalio/client';
import type { Config } from '../../../core/infra/config.ts';
import type { Db } from '../../../core/infra/db.ts';
import type { CookieSettings } from '../../cookies.ts';
import type { JourneyClient } from '../../api/journeys/journey-client.ts';

export interface OidcDeps {
  db: Db;
  config: Config;
  temporal: Client;
  journeys: JourneyClient;
  cookies: CookieSettings;
  idleTimeoutMs: number;
}
