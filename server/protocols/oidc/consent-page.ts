// The consent page: which application asks, and what it asks for that the user has not allowed
// it yet (scopes in words, individual claims — those asked for with the claims parameter — in
// words where known, API scopes), each thing once. Allow or deny posts back to the
// interaction with the CSRF token; the answer ends in a redirect to the client, hence the
// client's redirect_uri in the page's form-action (set by the route).
import { escapeHtml, hidden, pageHtml } from './page.ts';
import type { Consent } from './consent-store.ts';

const SCOPE_WORDS: Record<string, string> = {
  openid: 'Know who you are',
  profile: 'Your name and profile details',
  email: 'Your email address',
  address: 'Your postal address',
  phone: 'Your phone number',
  groups: 'The groups you belong to',
  offline_access: 'Keep access while you are not using it',
};

const CLAIM_WORDS: Record<string, string> = {
  email: SCOPE_WORDS.email!,
  email_verified: 'Whether your email address is verified',
  name: 'Your name',
  given_name: 'Your name',
  family_name: 'Your name',
  preferred_username: 'Your username',
  picture: 'Your picture',
  address: SCOPE_WORDS.address!,
  phone_number: SCOPE_WORDS.phone!,
  phone_number_verified: 'Whether your phone number is verified',
  groups: SCOPE_WORDS.groups!,
};

export interface ConsentView {
  tenant: string;
  clientName: string;
  /** What is asked and not yet allowed. */
  asked: Consent;
  action: string;
  csrf: string;
}

function item(text: string): string {
  return `<li>${escapeHtml(text)}</li>`;
}

export function consentPageHtml({ tenant, clientName, asked, action, csrf }: ConsentView): string {
  const lines = [
    ...asked.scopes.map((s) => SCOPE_WORDS[s] ?? `Access “${s}”`),
    ...asked.claims.map((c) => CLAIM_WORDS[c] ?? `Your “${c}”`),
    ...Object.entries(asked.resources).flatMap(([api, scopes]) => scopes.map((s) => `“${s}” on ${api}`)),
  ];
  const list = lines.length ? `<ul class="step-description">${[...new Set(lines)].map(item).join('')}</ul>`
    : '<p class="step-description">Confirm the access you gave it earlier.</p>';
  return pageHtml({
    tenant,
    title: `Allow ${clientName}?`,
    description: `${clientName} would like to:`,
    body: `${list}
      <form class="form" method="post" action="${escapeHtml(action)}">
        ${hidden('csrf', csrf)}
        <button class="button button-primary" type="submit" name="decision" value="allow">Allow</button>
        <button class="button button-secondary" type="submit" name="decision" value="deny">Deny</button>
      </form>`,
  });
}
