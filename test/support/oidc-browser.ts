// A browser for OIDC tests, over HTTP: one cookie jar shared with a JourneyApi, redirects followed
// by hand across the provider, the interaction routes and the Journey API, until the browser
// lands somewhere a test looks at: the relying party's redirect_uri (query or fragment), a
// form_post page aimed at it, a journey in the login UI, or any other page.
//
//   const browser = new OidcBrowser(stack.url, tenant);
//   const done = await browser.login(authorizeUrl, { username, password });
//   done.params.get('code')
//
// Same-origin auto-submitting pages (oidc-provider's own form_post to itself) are submitted, as a
// browser with JavaScript would. The jar ignores cookie paths (every cookie goes everywhere on
// the server's origin), which is enough here: names do not collide.
import type { JourneyView } from '../../core/journeys/journey-types.ts';
import { JourneyApi } from './journey-api.ts';

export type Landing =
  /** The browser left for the client's redirect_uri: its query or fragment parameters. */
  | { kind: 'callback'; url: URL; params: URLSearchParams }
  /** A form_post page that would submit `params` to the client's `action`. */
  | { kind: 'form_post'; action: string; params: URLSearchParams; html: string; csp: string | null }
  /** The login UI showing a journey. */
  | { kind: 'journey'; id: string; journey: JourneyView }
  | { kind: 'page'; url: string; status: number; html: string };

/** Step answers by field name; a function is called when the step asks (e.g. a TOTP code). */
export type Answers = Record<string, string | (() => string)>;

const MAX_HOPS = 30;
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

export function unescapeHtml(text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!);
}

/** The first form of a page: its action, method, hidden fields and submit buttons. */
export function parseForm(html: string, index = 0): { action: string; method: string; fields: URLSearchParams; buttons: { name: string; value: string; label: string }[] } | undefined {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)];
  const match = forms[index];
  if (!match) return undefined;
  const attr = (tag: string, name: string) => unescapeHtml(new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1] ?? '');
  const fields = new URLSearchParams();
  for (const [tag] of match[2]!.matchAll(/<input\b[^>]*>/g)) {
    if (attr(tag, 'type') === 'hidden') fields.append(attr(tag, 'name'), attr(tag, 'value'));
  }
  const buttons = [...match[2]!.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/g)]
    .map(([, tag, label]) => ({ name: attr(tag!, 'name'), value: attr(tag!, 'value'), label: unescapeHtml(label!.trim()) }));
  return { action: attr(match[1]!, 'action'), method: attr(match[1]!, 'method') || 'get', fields, buttons };
}

export class OidcBrowser {
  readonly api: JourneyApi;
  readonly origin: string;
  /** Every URL visited, in order (for assertions on the path taken). */
  readonly visited: string[] = [];
  /**
   * Path prefixes on this origin that count as leaving it (landing `callback`): e.g. another
   * tenant's federation callback, which a different jar (another tenant's cookies) must bring.
   */
  readonly leaveAt: string[] = [];

  constructor(base: string, tenant: string) {
    this.api = new JourneyApi(base, tenant);
    this.origin = new URL(base).origin;
  }

  get cookies(): Map<string, string> {
    return this.api.cookies;
  }

  /** One request with the jar; no redirect followed. */
  async request(method: string, url: string, form?: URLSearchParams): Promise<Response> {
    const target = new URL(url, this.origin);
    this.visited.push(`${method} ${target.pathname}${target.search}`);
    const headers: Record<string, string> = { accept: 'text/html' };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(target, { method, headers, body: form?.toString(), redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      if (/max-age=0|expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, pair!.slice(eq + 1));
    }
    return res;
  }

  /** Follows redirects (and same-origin auto-submitting forms) from a GET of `url`. */
  async follow(url: string, method = 'GET', form?: URLSearchParams): Promise<Landing> {
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const target = new URL(url, this.origin);
      if (target.origin !== this.origin || !target.pathname.startsWith('/t/') || this.leaveAt.some((p) => target.pathname.startsWith(p))) {
        const params = new URLSearchParams(target.hash ? target.hash.slice(1) : target.search);
        return { kind: 'callback', url: target, params };
      }
      const journey = /^\/t\/[^/]+\/ui\/journey\/([^/?#]+)$/.exec(target.pathname);
      if (journey && method === 'GET') {
        const id = decodeURIComponent(journey[1]!);
        const res = await this.api.get(id);
        this.api.journey = res.body;
        return { kind: 'journey', id, journey: res.body };
      }
      const res = await this.request(method, target.href, form);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        // 307/308 repeat the method and body; the others turn into a GET.
        if (res.status !== 307 && res.status !== 308) [method, form] = ['GET', undefined];
        url = new URL(location, target).href;
        continue;
      }
      const html = await res.text();
      const posted = /<title>Submitting Callback<\/title>/.test(html) ? parseForm(html) : undefined;
      if (posted) {
        if (new URL(posted.action, target).origin !== this.origin) {
          return { kind: 'form_post', action: posted.action, params: posted.fields, html, csp: res.headers.get('content-security-policy') };
        }
        [url, method, form] = [new URL(posted.action, target).href, 'POST', posted.fields];
        continue;
      }
      return { kind: 'page', url: target.href, status: res.status, html };
    }
    throw new Error(`more than ${MAX_HOPS} redirects: ${this.visited.slice(-6).join(' → ')}`);
  }

  /**
   * Answers the journey's steps with `answers` until it ends, then follows where it leads.
   * @throws when a step asks for a field `answers` lacks, or the journey fails.
   */
  async completeJourney(answers: Answers): Promise<Landing> {
    for (let i = 0; i < 20; i++) {
      const journey = this.api.journey!;
      if (journey.status === 'succeeded') {
        if (!journey.redirectTo) throw new Error('the journey succeeded without a redirectTo');
        return this.follow(journey.redirectTo);
      }
      if (journey.status !== 'waiting' || !journey.step) throw new Error(`journey ${journey.status}: ${JSON.stringify(journey.error)}`);
      const values: Record<string, string> = {};
      for (const field of journey.step.fields ?? []) {
        const answer = answers[field.name];
        if (answer === undefined) {
          if (field.required) throw new Error(`no answer for "${field.name}" (step ${journey.step.id})`);
          continue;
        }
        values[field.name] = typeof answer === 'function' ? answer() : answer;
      }
      const res = await this.api.submit(values);
      if (res.status !== 200) throw new Error(`step ${journey.step.id}: ${res.status} ${JSON.stringify(res.body)}`);
      if (res.body.step?.errors?.length) throw new Error(`step ${res.body.step.id}: ${JSON.stringify(res.body.step.errors)}`);
    }
    throw new Error('the journey did not end within 20 steps');
  }

  /** Follows `url`; when it lands on a journey, answers it with `answers` and follows on. */
  async login(url: string, answers: Answers = {}): Promise<Landing> {
    const landing = await this.follow(url);
    return landing.kind === 'journey' ? this.completeJourney(answers) : landing;
  }

  /**
   * Submits the `index`-th form of a page, pressing the button whose label contains `button` (or
   * the first), with its hidden fields and `extra` (what a user would type).
   */
  async submit(page: Extract<Landing, { kind: 'page' }>, button?: string, extra: Record<string, string> = {}, index = 0): Promise<Landing> {
    const parsed = parseForm(page.html, index);
    if (!parsed) throw new Error(`no form on ${page.url}`);
    const pressed = button === undefined ? parsed.buttons[0] : parsed.buttons.find((b) => b.label.includes(button));
    if (!pressed) throw new Error(`no button "${button}" on ${page.url}`);
    const fields = new URLSearchParams(parsed.fields);
    if (pressed.name) fields.append(pressed.name, pressed.value);
    for (const [name, value] of Object.entries(extra)) fields.set(name, value);
    return this.follow(new URL(parsed.action, page.url).href, parsed.method.toUpperCase(), fields);
  }
}
