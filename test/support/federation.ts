// Federated sign-in in tests: a downstream tenant whose login offers an upstream IdP, and the
// browser moves of one federated round trip. The downstream journey runs in one jar (its own
// tenant's cookies), the upstream login in another (OidcBrowser for the upstream tenant, which
// leaves at the downstream's federation routes), as one real browser with path-scoped cookies.
import { expect } from 'vitest';
import type { JourneyView } from '../../core/journeys/journey-types.ts';
import { OidcBrowser, type Answers, type Landing } from './oidc-browser.ts';

/** Starts a login journey in `down` and picks the IdP `alias`; returns the upstream URL its redirect step leads to. */
export async function pickIdp(down: OidcBrowser, alias: string): Promise<string> {
  const started = await down.api.start('login');
  expect(started.status).toBe(201);
  const step = down.api.journey!.step!;
  expect(step.choices?.map((c) => c.value)).toContain(alias);
  const res = await down.api.submit({ choice: alias });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const view = res.body as JourneyView;
  expect(view.step?.type, JSON.stringify(view)).toBe('redirect');
  const go = await down.request('GET', (view.step!.options as { url: string }).url);
  expect(go.status).toBe(303);
  return go.headers.get('location')!;
}

/** Signs in at an upstream Tessera tenant from `url`; returns the callback URL it sends the browser to. */
export async function upstreamTesseraLogin(base: string, upstreamTenant: string, downstreamTenant: string, url: string, answers: Answers): Promise<URL> {
  const up = new OidcBrowser(base, upstreamTenant);
  up.leaveAt.push(`/t/${downstreamTenant}/`);
  const landing = await up.login(url, answers);
  if (landing.kind !== 'callback') throw new Error(`the upstream login ended on ${landing.kind}: ${JSON.stringify(landing).slice(0, 500)}`);
  return landing.url;
}

/** Brings the upstream's answer back in the downstream browser; returns where it lands. */
export async function bringBack(down: OidcBrowser, callback: URL | string): Promise<Landing> {
  return down.follow(typeof callback === 'string' ? callback : callback.href);
}
