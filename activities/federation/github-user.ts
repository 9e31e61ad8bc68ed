// The GitHub preset's identity (GitHub is OAuth 2 only: no ID token, no userinfo endpoint): the
// user from `GET {userinfoEndpoint}` (https://api.github.com/user) and the primary verified email
// from `GET {userinfoEndpoint}/emails`, mapped to OpenID Connect claim names.
// Rules: the subject is GitHub's numeric user id as a string (logins can be renamed, ids cannot);
// `email` is only the primary email and only when GitHub marks it verified (then email_verified is
// true); without one there is neither `email` nor `email_verified`, so nothing downstream can
// link or provision by an address GitHub has not checked. Any failure is a userinfo_error.
import { fetchProtectedResource, type Configuration } from 'openid-client';
import type { UpstreamIdentity } from '../../core/federation/federation-types.ts';
import { upstreamError, upstreamFailure } from './upstream-errors.ts';

const API_HEADERS = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };

interface GitHubUser { id?: unknown; login?: unknown; name?: unknown; avatar_url?: unknown; html_url?: unknown }
interface GitHubEmail { email?: unknown; primary?: unknown; verified?: unknown }

async function getJson(config: Configuration, accessToken: string, url: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetchProtectedResource(config, accessToken, new URL(url), 'GET', undefined, new Headers(API_HEADERS));
  } catch (err) {
    throw upstreamFailure('userinfo', err);
  }
  if (!res.ok) throw upstreamError('userinfo_error');
  try {
    return await res.json();
  } catch {
    throw upstreamError('userinfo_error');
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** @throws UpstreamError (userinfo_error, upstream_unreachable, no_subject). */
export async function githubIdentity(config: Configuration, accessToken: string, userUrl: string): Promise<UpstreamIdentity> {
  const user = await getJson(config, accessToken, userUrl) as GitHubUser;
  if (typeof user !== 'object' || user === null) throw upstreamError('userinfo_error');
  if (!Number.isSafeInteger(user.id) || (user.id as number) <= 0) throw upstreamError('no_subject');
  const emails = await getJson(config, accessToken, `${userUrl.replace(/\/+$/, '')}/emails`);
  if (!Array.isArray(emails)) throw upstreamError('userinfo_error');
  const primary = (emails as GitHubEmail[]).find((e) => e && e.primary === true && e.verified === true && text(e.email));
  const subject = String(user.id);
  const claims: Record<string, unknown> = {
    sub: subject,
    preferred_username: text(user.login),
    name: text(user.name),
    picture: text(user.avatar_url),
    profile: text(user.html_url),
    ...(primary ? { email: primary.email, email_verified: true } : {}),
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return { subject, claims };
}
