// Keycloak made ready for the side-by-side OIDC login phase: distribution fetched, server
// started in production mode, realm seeded with as many users as Tessera's OIDC login tenant
// (same shape of login names, one password), and warmed up (JIT, caches) before any measurement.
import { randomBytes } from 'node:crypto';
import { keycloakContender, keycloakDistribution, seedKeycloak, startKeycloak, type Keycloak } from './keycloak.ts';
import type { Contender } from './side-by-side.ts';

export async function prepareKeycloak(users: number, warmupLogins: number, log: (m: string) => void): Promise<{ kc: Keycloak; contender: Contender }> {
  const dist = await keycloakDistribution(log);
  const admin = { username: 'bench-admin', password: randomBytes(18).toString('base64url') };
  log('Keycloak: starting in production mode (kc.sh start; the first start also builds the server image)…');
  const kc = await startKeycloak(dist, admin, log);
  const password = `bench-pw-${randomBytes(6).toString('hex')}`;
  const logins = Array.from({ length: users }, (_, i) => `user${String(i).padStart(5, '0')}@keycloak-bench.example`);
  const realm = await seedKeycloak(kc, admin, logins, password, log);
  const contender = keycloakContender(kc, realm);
  log(`Keycloak: warm-up, ${warmupLogins} logins at 8 concurrent…`);
  const warmup = await contender.phase(8, { logins: warmupLogins });
  log(`  keycloak warm-up: ${warmup.loginsPerSecond.toFixed(1)} logins/s, ${warmup.errors} errors${warmup.errorSamples[0] ? ` (${warmup.errorSamples[0]})` : ''}`);
  return { kc, contender: { ...contender, warmup } };
}
