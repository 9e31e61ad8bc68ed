// The tenant's login UI as the server uses it (core/tenants/tenant-ui.ts): read at most every few
// seconds per tenant (every protocol redirect and every Journey API request of a tenant with its
// own UI needs it), and the one place that says where a browser goes to take part in a journey.
import type { Db } from '../core/infra/db.ts';
import { getUiSettings, journeyUiUrl, type UiSettings } from '../core/tenants/tenant-ui.ts';

const TTL_MS = 5000;
const cache = new Map<string, { ui: UiSettings; until: number }>();

export async function tenantUi(db: Db, tenant: string): Promise<UiSettings> {
  const hit = cache.get(tenant);
  if (hit && hit.until > Date.now()) return hit.ui;
  const ui = await getUiSettings(db, tenant);
  if (cache.size > 10_000) cache.clear();
  cache.set(tenant, { ui, until: Date.now() + TTL_MS });
  return ui;
}

/** Forgets what was read of a tenant's UI (after a change made by this process). */
export function forgetTenantUi(tenant: string): void {
  cache.delete(tenant);
}

/** The URL of the tenant's login UI for this journey: its own (`?journey=`) or /t/{tenant}/ui/journey/{id}. */
export async function journeyLocation(db: Db, tenant: string, journeyId: string): Promise<string> {
  return journeyUiUrl(tenant, journeyId, await tenantUi(db, tenant));
}
