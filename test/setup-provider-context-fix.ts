// Runs first in every test process: the servers the tests start in-process load oidc-provider
// with the same fix `tessera` installs (server/protocols/oidc/provider-context-fix.ts).
import { installProviderContextFix } from '../server/protocols/oidc/provider-context-fix.ts';

installProviderContextFix();
