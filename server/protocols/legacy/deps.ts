// What the legacy login protocol needs from the server (one object, built in server/app.ts).
import type { Config } from '../../../core/infra/config.ts';
import type { Db } from '../../../core/infra/db.ts';
import type { CookieSettings } from '../../cookies.ts';
import type { JourneyClient } from '../../api/journeys/journey-client.ts';

export interface LegacyDeps {
  db: Db;
  journeys: JourneyClient;
  cookies: CookieSettings;
  idleTimeoutMs: number;
  config: Config;
}
