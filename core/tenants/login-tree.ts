// Which tree a tenant's sign-ins start on (settings.login.tree: `login`, identifier-first, or
// `login-one-page`), for every entry that starts a login journey without naming a tree (OIDC
// authorization, SAML SSO, the legacy login, the Journey API's kind "login"). Read through a
// per-process cache of a few seconds, as every sign-in asks; a change applies within that time.
import type { Db } from '../infra/db.ts';
import { LoginSettings } from './tenant-settings.ts';

const TTL_MS = 5000;
const cache = new Map<string, { tree: Promise<string>; until: number }>();

export function tenantLoginTree(db: Db, tenant: string): Promise<string> {
  const hit = cache.get(tenant);
  if (hit && hit.until > Date.now()) return hit.tree;
  const tree = (async () => {
    const [row] = await db`SELECT settings->'login' AS login FROM tenants WHERE id = ${tenant}`;
    return LoginSettings.safeParse(row?.login ?? {}).data?.tree ?? 'login';
  })();
  if (cache.size > 1000) cache.clear();
  cache.set(tenant, { tree, until: Date.now() + TTL_MS });
  tree.catch(() => cache.delete(tenant));
  return tree;
}
