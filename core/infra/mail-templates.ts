// Mail templates: defaults in code, overridable per tenant in `tenants.settings.mail.<template>`
// ({ subject?, text?, html? }). Placeholders are `{{name}}`.
// Rules: every value placed in the HTML part is HTML-escaped; secret values (codes, links) never
// reach the subject, which is logged and shown in mail lists; a subject is one line; a malformed
// override is ignored in favour of the default rather than sending a broken message.
// Overrides an admin stores are checked first (overrideProblem): only the template's own
// placeholders, none of the secret ones in the subject, and HTML that escaping keeps safe: no
// active content (script, frames, forms, event handlers, javascript: URLs), placeholders only in
// text or in quoted attribute values, and a link attribute may start only with {{link}}.
// Text that people choose (a signup's name, an inviter's name, a rejection reason, the new address
// of an email change, told to the old one) goes to
// addresses they may also choose: it is cut to USER_TEXT_MAX characters and can never become a
// link — the characters that make mail clients link it (dots inside words, slashes, `@`, `:`)
// are replaced by look-alikes that no client links.
import { z } from 'zod';

export const TEMPLATE_NAMES = [
  'login-code', 'login-link',
  'verify-email', 'signup-existing', 'registration-pending', 'approval-request', 'approval-reminder',
  'registration-approved', 'registration-rejected', 'invitation', 'recovery-link', 'email-change-link', 'email-changed',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export interface MailContent { subject: string; text: string; html: string }

/** The values each template is sent with (what an override may use). */
export const TEMPLATE_PLACEHOLDERS: Record<TemplateName, readonly string[]> = {
  'login-code': ['tenant', 'code', 'expires'],
  'login-link': ['tenant', 'code', 'link', 'expires'],
  'verify-email': ['tenant', 'name', 'link', 'expires'],
  'signup-existing': ['tenant'],
  'registration-pending': ['tenant', 'name'],
  'approval-request': ['tenant', 'name', 'email', 'deadline'],
  'approval-reminder': ['tenant', 'name', 'email', 'deadline', 'requested'],
  'registration-approved': ['tenant', 'name', 'link', 'expires'],
  'registration-rejected': ['tenant', 'name', 'reason'],
  'invitation': ['tenant', 'inviter', 'link', 'expires'],
  'recovery-link': ['tenant', 'link', 'expires'],
  'email-change-link': ['tenant', 'link', 'expires'],
  'email-changed': ['tenant', 'new_email'],
};

export const isTemplateName = (name: string): name is TemplateName => (TEMPLATE_NAMES as readonly string[]).includes(name);

/** Values that grant access: allowed in the body only. */
const SECRET_VARS = new Set(['code', 'link']);

/** Values people type, that the mail's reader did not choose. */
const USER_TEXT_VARS = new Set(['name', 'inviter', 'reason', 'new_email']);
export const USER_TEXT_MAX = 80;

const LOOK_ALIKES: Record<string, string> = { '.': '\u2024', '/': '\u2215', '@': '\uff20', ':': '\ua789', '\\': '\u29f5' };

/** `value` cut to USER_TEXT_MAX characters, on one line, with nothing a mail client would link. */
export function inertText(value: string): string {
  // eslint-disable-next-line no-control-regex
  let text = value.replace(/[\u0000-\u001f\u007f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]+/g, ' ').replace(/\s+/g, ' ').trim();
  const chars = [...text];
  if (chars.length > USER_TEXT_MAX) text = `${chars.slice(0, USER_TEXT_MAX - 1).join('').trimEnd()}…`;
  // A dot ends a sentence or an initial ("J. Smith"); one inside a word ("evil.com") is neutralised.
  return text.replace(/[.\u3002\uff0e\uff61](?=\S)|[/@:\\\uff0f]/g, (c) => LOOK_ALIKES[c] ?? (c === '\uff0f' ? LOOK_ALIKES['/']! : LOOK_ALIKES['.']!));
}

const IGNORE = 'If you did not try to sign in, you can ignore this email.';
const NOT_YOU = 'If this was not you, you can ignore this email.';

/** A template whose text and HTML say the same thing: paragraphs, one of which may hold {{link}}. */
function plain(subject: string, paragraphs: string[], linkLabel?: string): MailContent {
  const text = paragraphs.map((p) => p.replace('{{link}}', `\n{{link}}`)).join('\n\n') + '\n';
  const html = paragraphs.map((p) => `<p>${p.replace('{{link}}', `<a href="{{link}}">${linkLabel ?? '{{link}}'}</a>`)}</p>`).join('\n') + '\n';
  return { subject, text, html };
}

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
  'verify-email': plain('Confirm your email address for {{tenant}}', [
    'Welcome, {{name}}. Please confirm that this is your email address by opening this link: {{link}}',
    `The link can be used once and expires in {{expires}}. ${NOT_YOU}`,
  ], 'Confirm my email address'),
  'signup-existing': plain('Sign-up attempt at {{tenant}}', [
    'Someone tried to create an account at {{tenant}} with this email address, which already has one.',
    `If it was you, sign in instead, or reset your password if you have forgotten it. ${NOT_YOU}`,
  ]),
  'registration-pending': plain('Your {{tenant}} account awaits approval', [
    'Thank you for signing up, {{name}}. An administrator will review your account; we will write to you when it has been decided.',
  ]),
  'approval-request': plain('New account awaiting approval at {{tenant}}: {{email}}', [
    '{{name}} ({{email}}) signed up at {{tenant}} and awaits approval.',
    'Approve or reject it with `tessera users approve|reject --tenant {{tenant}} --email {{email}}` or through the admin API. Without a decision it is rejected on {{deadline}}.',
  ]),
  'approval-reminder': plain('Reminder: account awaiting approval at {{tenant}}: {{email}}', [
    '{{name}} ({{email}}) has been waiting for approval since {{requested}}.',
    'Without a decision the account is rejected on {{deadline}}.',
  ]),
  'registration-approved': plain('Your {{tenant}} account is ready', [
    'Good news, {{name}}: your account has been approved. Sign in with this link: {{link}}',
    'The link can be used once and expires in {{expires}}. Afterwards, sign in as usual.',
  ], 'Sign in'),
  'registration-rejected': plain('Your {{tenant}} account request', [
    'We are sorry, {{name}}: your account request at {{tenant}} was not approved. {{reason}}',
  ]),
  'invitation': plain('You are invited to {{tenant}}', [
    '{{inviter}} invites you to create an account at {{tenant}}: {{link}}',
    'The invitation is for this email address only and expires in {{expires}}.',
  ], 'Accept the invitation'),
  'recovery-link': plain('Reset your password for {{tenant}}', [
    'Open this link to choose a new password: {{link}}',
    `The link can be used once and expires in {{expires}}. ${NOT_YOU} Your password has not been changed.`,
  ], 'Choose a new password'),
  'email-change-link': plain('Confirm your new email address for {{tenant}}', [
    'Open this link to make this your email address at {{tenant}}: {{link}}',
    `Open it in the browser where you asked for the change. It can be used once and expires in {{expires}}. ${NOT_YOU} Nothing changes until the link is opened.`,
  ], 'Confirm my new email address'),
  'email-changed': plain('Your email address at {{tenant}} was changed', [
    'The email address of your account at {{tenant}} was changed to {{new_email}}. Mail for the account now goes there, not here.',
    'If you did not make this change, contact the administrator of {{tenant}} at once.',
  ]),
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
  const get = (key: string) => (!Object.hasOwn(vars, key) ? '' : USER_TEXT_VARS.has(key) ? inertText(vars[key]!) : vars[key]!);
  return {
    subject: fill(t.subject, (key) => (SECRET_VARS.has(key) ? '' : get(key))).replace(/[\r\n\t]+/g, ' ').trim().slice(0, 250),
    text: fill(t.text, get),
    html: fill(t.html, (key) => escapeHtml(get(key))),
  };
}

const ACTIVE_TAGS = new Set(['script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'form', 'input', 'button',
  'textarea', 'select', 'base', 'meta', 'link', 'svg', 'math', 'template', 'noscript']);
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'background', 'poster', 'cite', 'srcset', 'xlink:href', 'data', 'lowsrc', 'dynsrc']);
const TAG = /<!--[\s\S]*?-->|<!doctype[^<>]*>|<\/?([a-zA-Z][a-zA-Z0-9-]*)((?:[\s/](?:[^<>"']|"[^"]*"|'[^']*')*)?)>/giy;
const ATTRIBUTE = /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
const DANGEROUS_SCHEME = /^(?:javascript|vbscript|data):/i;

/** An attribute value as a browser reads its scheme: character references decoded, spaces and controls dropped. */
function decodedUrl(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);?/gi, (_m, hex: string) => String.fromCodePoint(Math.min(parseInt(hex, 16), 0x10ffff)))
    .replace(/&#(\d+);?/g, (_m, dec: string) => String.fromCodePoint(Math.min(Number(dec), 0x10ffff)))
    .replace(/&colon;/gi, ':').replace(/&(?:tab|newline);/gi, '')
    .replace(/[\s\u0000-\u001f]+/g, '');
}

function attributeProblem(tag: string, attributes: string): string | undefined {
  let rest = attributes;
  for (const m of attributes.matchAll(ATTRIBUTE)) {
    const name = m[1]!.toLowerCase();
    const quoted = m[2] ?? m[3];
    const value = quoted ?? m[4];
    if (name.startsWith('on')) return `<${tag}>: event handler attributes (${name}) are not allowed`;
    if (value !== undefined && quoted === undefined && value.includes('{{')) return `<${tag} ${name}>: a placeholder in an attribute must be in quotes`;
    if (value !== undefined && URL_ATTRIBUTES.has(name)) {
      // Browsers ignore control characters and spaces in a scheme: so does this check.
      if (DANGEROUS_SCHEME.test(decodedUrl(value))) return `<${tag} ${name}>: javascript:, vbscript: and data: URLs are not allowed`;
      const first = /^\s*\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/.exec(value);
      if (first && first[1] !== 'link') return `<${tag} ${name}>: only {{link}} may start a link (other values could be a javascript: URL)`;
    }
    rest = rest.replace(m[0], '');
  }
  if (rest.includes('{{')) return `<${tag}>: placeholders belong in text or in quoted attribute values`;
  return undefined;
}

/** Why admin-chosen HTML could carry active content once filled, or undefined when it is fine. */
export function htmlProblem(html: string): string | undefined {
  let at = 0;
  while (at < html.length) {
    const lt = html.indexOf('<', at);
    if (lt < 0) break;
    TAG.lastIndex = lt;
    const m = TAG.exec(html);
    if (!m) return `a "<" at character ${lt + 1} that does not start a tag (write &lt;)`;
    const tag = m[1]?.toLowerCase();
    if (tag !== undefined) {
      if (ACTIVE_TAGS.has(tag)) return `<${tag}> is not allowed in a mail template`;
      const problem = attributeProblem(tag, m[2] ?? '');
      if (problem) return problem;
    }
    at = TAG.lastIndex;
  }
  return undefined;
}

/** Why an override cannot be stored for `name`, naming the part; undefined when it can. */
export function overrideProblem(name: TemplateName, override: z.infer<typeof TemplateOverride>): string | undefined {
  const known = new Set(TEMPLATE_PLACEHOLDERS[name]);
  for (const part of ['subject', 'text', 'html'] as const) {
    const text = override[part];
    if (text === undefined) continue;
    for (const m of text.matchAll(PLACEHOLDER)) {
      if (!known.has(m[1]!)) return `${part}: {{${m[1]}}} is not a placeholder of "${name}" (${[...known].map((k) => `{{${k}}}`).join(', ')})`;
      if (part === 'subject' && SECRET_VARS.has(m[1]!)) return `subject: {{${m[1]}}} grants access and may not appear in the subject`;
    }
  }
  if (override.subject !== undefined && /[\r\n]/.test(override.subject)) return 'subject: must be one line';
  if (override.html !== undefined) {
    const problem = htmlProblem(override.html);
    if (problem) return `html: ${problem}`;
  }
  return undefined;
}

/** "7 days", "10 minutes", "90 seconds": how long a code or link lives, for the mail text. */
export function describeLifetime(ms: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (ms >= 86_400_000 && ms % 86_400_000 === 0) return unit(ms / 86_400_000, 'day');
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return unit(ms / 3_600_000, 'hour');
  if (ms % 60_000 === 0) return unit(ms / 60_000, 'minute');
  return unit(Math.max(1, Math.round(ms / 1000)), 'second');
}
