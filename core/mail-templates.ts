// Mail templates: defaults in code, overridable per tenant in `tenants.settings.mail.<template>`
// ({ subject?, text?, html? }). Placeholders are `{{name}}`.
// Rules: every value placed in the HTML part is HTML-escaped; secret values (codes, links) never
// reach the subject, which is logged and shown in mail lists; a subject is one line; a malformed
// override is ignored in favour of the default rather than sending a broken message.
import { z } from 'zod';

export const TEMPLATE_NAMES = ['login-code', 'login-link'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export interface MailContent { subject: string; text: string; html: string }

/** Values that grant access: allowed in the body only. */
const SECRET_VARS = new Set(['code', 'link']);

const IGNORE = 'If you did not try to sign in, you can ignore this email.';

export const DEFAULT_TEMPLATES: Record<TemplateName, MailContent> = {
  'login-code': {
    subject: 'Your sign-in code for {{tenant}}',
    text: `Your sign-in code is {{code}}\n\nIt expires in {{expires}}. ${IGNORE}\n`,
    html: `<p>Your sign-in code is <strong>{{code}}</strong></p>\n<p>It expires in {{expires}}. ${IGNORE}</p>\n`,
  },
  'login-link': {
    subject: 'Sign in to {{tenant}}',
    text: 'Your sign-in code is {{code}}\n\nOr open this link to sign in:\n{{link}}\n\n'
      + 'The link works only in the browser where you started signing in.\n\n'
      + `Both expire in {{expires}}. ${IGNORE}\n`,
    html: '<p>Your sign-in code is <strong>{{code}}</strong></p>\n'
      + '<p>Or <a href="{{link}}">sign in with this link</a>. It works only in the browser where you started signing in.</p>\n'
      + `<p>Both expire in {{expires}}. ${IGNORE}</p>\n`,
  },
};

export const TemplateOverride = z.object({
  subject: z.string().min(1).max(200).optional(),
  text: z.string().min(1).max(20_000).optional(),
  html: z.string().min(1).max(100_000).optional(),
}).strict();

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g;

function fill(template: string, value: (name: string) => string): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => value(name));
}

/** Fills a template for one message; unknown placeholders become empty. */
export function renderTemplate(name: TemplateName, vars: Record<string, string>, override?: unknown): MailContent {
  const parsed = TemplateOverride.safeParse(override ?? {});
  const t = { ...DEFAULT_TEMPLATES[name], ...(parsed.success ? parsed.data : {}) };
  const get = (key: string) => (Object.hasOwn(vars, key) ? vars[key]! : '');
  return {
    subject: fill(t.subject, (key) => (SECRET_VARS.has(key) ? '' : get(key))).replace(/[\r\n\t]+/g, ' ').trim().slice(0, 250),
    text: fill(t.text, get),
    html: fill(t.html, (key) => escapeHtml(get(key))),
  };
}

/** "10 minutes", "1 minute", "90 seconds": how long a code lives, for the mail text. */
export function describeLifetime(ms: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (ms % 60_000 === 0) return unit(ms / 60_000, 'minute');
  return unit(Math.max(1, Math.round(ms / 1000)), 'second');
}
