// TESSERA_SEED=demo: tenant `demo` with one user (a super-admin) and one OIDC client, created
// once, and how to log in with them.
import type { Db } from '../../core/infra/db.ts';
import { createOidcClient, getOidcClient } from '../../core/oidc/oidc-clients.ts';
import { createTenant, getTenant } from '../../core/tenants/tenants.ts';
import { createUser, findUserByLogin } from '../../core/accounts/users.ts';
import { grantRole } from '../../core/admin/roles.ts';

export const DEMO_USER = { email: 'demo@example.com', password: 'correct-horse-battery' };
export const DEMO_CLIENT = { clientId: 'demo-app', redirectUri: 'http://localhost:8080/callback' };

export async function seedDemo(db: Db, publicUrl: string): Promise<string> {
  if (!(await getTenant(db, 'demo'))) await createTenant(db, 'demo', 'Demo');
  const user = await findUserByLogin(db, 'demo', DEMO_USER.email)
    ?? await createUser(db, 'demo', { email: DEMO_USER.email, name: 'Demo User', password: DEMO_USER.password });
  // The demo user administers every tenant, so the admin console is usable at once.
  await grantRole(db, 'demo', user.id, 'super-admin');
  // A first-party confidential web client; its secret is random, made once, and shown at each
  // start (this is a development seed).
  const client = await getOidcClient(db, 'demo', DEMO_CLIENT.clientId) ?? await createOidcClient(db, 'demo', {
    client_id: DEMO_CLIENT.clientId, client_name: 'Demo app', first_party: true,
    redirect_uris: [DEMO_CLIENT.redirectUri], post_logout_redirect_uris: ['http://localhost:8080/'],
    grant_types: ['authorization_code', 'refresh_token'], scope: 'openid profile email offline_access',
  }).catch(async (err: unknown) => {
    // Another process seeding at the same moment created it.
    const existing = await getOidcClient(db, 'demo', DEMO_CLIENT.clientId);
    if (!existing) throw err;
    return existing;
  });
  return [
    'Demo tenant ready.',
    `  Log in at ${publicUrl}/t/demo/ui/login`,
    `  Admin console: ${publicUrl}/admin/?tenant=demo (the demo user is a super-admin)`,
    `  as ${DEMO_USER.email} with password ${DEMO_USER.password}`,
    `  OIDC issuer ${publicUrl}/t/demo (discovery: ${publicUrl}/t/demo/.well-known/openid-configuration)`,
    `  client_id ${client.clientId}, client_secret ${client.metadata.client_secret}, redirect_uri ${DEMO_CLIENT.redirectUri} (PKCE S256 required)`,
    '  Without SMTP_URL mail is logged (recipient and subject); TESSERA_DEV_MAIL=1 also lists it, codes and links included, at /dev/mail',
  ].join('\n');
}
