// Where a webhook may deliver. Events name users and sessions, so they travel over TLS: https is
// required, except plain http to the local machine (localhost, 127.0.0.1, [::1]) for development
// and tests. No credentials in the URL (they would sit in logs and in the list answer), no fragment.
export class WebhookInputError extends Error {}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
export const MAX_URL_LENGTH = 2000;

/** The URL, normalized. @throws WebhookInputError saying what is wrong with it. */
export function checkWebhookUrl(text: string): string {
  if (text.length > MAX_URL_LENGTH) throw new WebhookInputError(`url: at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookInputError('url: not an absolute URL');
  }
  if (url.protocol === 'http:' && !LOCAL_HOSTS.has(url.hostname)) {
    throw new WebhookInputError('url: must use https (plain http only to localhost or 127.0.0.1)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new WebhookInputError('url: must use https');
  if (url.username || url.password) throw new WebhookInputError('url: must not contain credentials');
  if (url.hash) throw new WebhookInputError('url: must not contain a fragment');
  return url.toString();
}
