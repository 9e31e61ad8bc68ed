// The one list of auth modules. Adding a module = one file under modules/ and one line here.
import type { ModuleCatalog } from '../core/tree-types.ts';
import type { AuthModule } from './modules/module.ts';
import { usernameModule } from './modules/username.ts';
import { passwordModule } from './modules/password.ts';
import { accountStatusModule } from './modules/account-status.ts';
import { totpModule } from './modules/totp.ts';
import { treeModule } from './modules/tree.ts';
import { choiceModule } from './modules/choice.ts';

export const modules: AuthModule[] = [
  usernameModule,
  passwordModule,
  accountStatusModule,
  totpModule,
  treeModule,
  choiceModule,
];

const byType = new Map(modules.map((m) => [m.type, m]));

export function findModule(type: string): AuthModule | undefined {
  return byType.get(type);
}

/** What tree validation needs from each module. */
export const moduleCatalog: ModuleCatalog = Object.fromEntries(modules.map((m) => [m.type, {
  innerTrees: (config: Record<string, unknown>) => {
    const parsed = m.config.safeParse(config);
    return parsed.success && m.innerTrees ? m.innerTrees(parsed.data) : [];
  },
  outcomes: (config: Record<string, unknown>) => {
    if (typeof m.outcomes !== 'function') return [...m.outcomes];
    const parsed = m.config.safeParse(config);
    return parsed.success ? m.outcomes(parsed.data) : [];
  },
  checkConfig: (config: Record<string, unknown>) => {
    const parsed = m.config.safeParse(config);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
  },
}]));
