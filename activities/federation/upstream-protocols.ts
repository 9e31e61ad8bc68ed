// One adapter per upstream kind, made once per database (their caches — OIDC discovery, keys —
// live as long as the worker).
import type { Db } from '../../core/infra/db.ts';
import type { UpstreamKind, UpstreamProtocol } from '../../core/federation/federation-types.ts';
import { tenantSamlCredentials } from '../../core/saml/saml-credentials.ts';
import { createOidcUpstream } from './oidc-upstream.ts';
import { createSamlUpstream } from './saml-upstream.ts';

const made = new WeakMap<Db, Record<UpstreamKind, UpstreamProtocol>>();

export function upstreamProtocol(db: Db, kind: UpstreamKind, now: () => Date): UpstreamProtocol {
  let protocols = made.get(db);
  if (!protocols) {
    protocols = {
      oidc: createOidcUpstream({ now }),
      saml: createSamlUpstream({ db, credentials: (tenant) => tenantSamlCredentials(db, tenant), now }),
    };
    made.set(db, protocols);
  }
  return protocols[kind];
}
