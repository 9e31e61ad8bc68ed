// TESSERA_SEED=demo: tenant `demo` with one user, created once, and how to log in with it.
import type { Db } from '../../core/db.ts';
import { createTenant, getTenant } from '../../core/tenants.ts';
import { createUser, findUserByLogin } from '../../core/users.ts';

export const DEMO_USER = { email: 'demo@example.com', password: 'correct-horse-battery' };

export async function seedDemo(db: Db, publicUrl: string): Promise<string> {
  if (!(await getTenant(db, 'demo'))) await createTenant(db, 'demo', 'Demo');
  if (!(await findUserByLogin(db, 'demo', DEMO_USER.email))) {
    await createUser(db, 'demo', { email: DEMO_USER.email, name: 'Demo User', password: DEMO_USER.password });
  }
  return [
    'Demo tenant ready.',
    `  Log in at ${publicUrl}/t/demo/ui/login`,
    `  as ${DEMO_USER.email} with password ${DEMO_USER.password}`,
  ].join('\n');
}
