// The one list of auth modules. Adding a module = one file under modules/ and one line here.
import type { ModuleCatalog } from '../core/journeys/tree-types.ts';
import type { AuthModule } from './modules/module.ts';
import { usernameModule } from './modules/username.ts';
import { passwordModule } from './modules/password.ts';
import { credentialsModule } from './modules/credentials.ts';
import { accountStatusModule } from './modules/account-status.ts';
import { totpModule } from './modules/totp.ts';
import { treeModule } from './modules/tree.ts';
import { choiceModule } from './modules/choice.ts';
import { throttleModule } from './modules/throttle.ts';
import { captchaModule } from './modules/captcha.ts';
import { scriptModule } from './modules/script.ts';
import { emailOtpModule } from './modules/email-otp.ts';
import { termsModule } from './modules/terms.ts';
import { profileModule } from './modules/profile.ts';
import { webauthnModule } from './modules/webauthn.ts';
import { signupModule } from './modules/signup.ts';
import { linkProofModule } from './modules/link-proof.ts';
import { emailLinkModule } from './modules/email-link.ts';
import { newPasswordModule } from './modules/new-password.ts';
import { idpModule, oidcIdpModule, samlIdpModule } from './modules/upstream-idp.ts';
import { idpLinkModule } from './modules/idp-link.ts';
import { recentAuthModule } from './modules/recent-auth.ts';
import { totpRemoveModule } from './modules/totp-remove.ts';
import { emailChangeModule } from './modules/email-change.ts';
import { passkeyRemoveModule } from './modules/passkey-remove.ts';
import { idpUnlinkModule } from './modules/idp-unlink.ts';

export const modules: AuthModule[] = [
  usernameModule,
  passwordModule,
  credentialsModule,
  accountStatusModule,
  totpModule,
  treeModule,
  choiceModule,
  throttleModule,
  captchaModule,
  scriptModule,
  emailOtpModule,
  termsModule,
  profileModule,
  webauthnModule,
  emailLinkModule,
  newPasswordModule,
  signupModule,
  linkProofModule,
  idpModule,
  oidcIdpModule,
  samlIdpModule,
  idpLinkModule,
  recentAuthModule,
  totpRemoveModule,
  emailChangeModule,
  passkeyRemoveModule,
  idpUnlinkModule,
];

const byType = new Map(modules.map((m) => [m.type, m]));

export function findModule(type: string): AuthModule | undefined {
  return byType.get(type);
}

/** What tree validation needs from each module. */
export const moduleCatalog: ModuleCatalog = Object.fromEntries(modules.map((m) => [m.type, {
  optionalOutcomes: () => [...(m.optionalOutcomes ?? [])],
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
