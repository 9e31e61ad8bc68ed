// A relying party's claim rules (client metadata `claim_rules`): an ordered list that reshapes the
// claims the client receives (ID token and userinfo), after the scopes have chosen them. Pure.
// Rules: `rename` {from, to}, `add` {claim, value | template}, `remove` claim; applied in order, each
// on the result of the previous one. `sub` and the protocol claims (iss, aud, nonce, acr, …) are
// never renamed, removed or overwritten: the schema refuses such rules, and applyClaimRules skips
// them should one reach it anyway. Templates only substitute `{{claim}}` placeholders (dotted paths
// reach into objects, `$tenant` and `$client_id` come from the context); nothing is evaluated.
import { z } from 'zod';

/** Claims a rule may never touch: the subject and what the protocol itself puts in tokens. */
export const PROTECTED_CLAIMS: ReadonlySet<string> = new Set([
  'sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'nonce', 'acr', 'amr', 'auth_time', 'azp', 'sid',
  'at_hash', 'c_hash', 's_hash', 'cnf', 'act', 'client_id', 'scope', '_claim_names', '_claim_sources',
]);

// Names that would reach an object's prototype when used as a key.
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export const MAX_RULES = 50;
const MAX_TEMPLATE = 500;
const MAX_VALUE_JSON = 4096;

const ClaimName = z.string().min(1).max(200)
  .regex(/^[^\s{}]+$/, 'must be a claim name without spaces or braces')
  .refine((name) => !UNSAFE_KEYS.has(name), 'is not a usable claim name')
  .refine((name) => !PROTECTED_CLAIMS.has(name), { error: (issue) => `"${String(issue.input)}" is a protected claim` });

const Constant = z.json().refine((value) => JSON.stringify(value).length <= MAX_VALUE_JSON, `must be at most ${MAX_VALUE_JSON} characters of JSON`);

const Rename = z.object({ rename: z.object({ from: ClaimName, to: ClaimName }).strict() }).strict();
const AddValue = z.object({ claim: ClaimName, value: Constant }).strict();
const AddTemplate = z.object({ claim: ClaimName, template: z.string().max(MAX_TEMPLATE) }).strict();
const Add = z.object({ add: z.union([AddValue, AddTemplate]) }).strict();
const Remove = z.object({ remove: ClaimName }).strict();

export const ClaimRule = z.union([Rename, Add, Remove]);
export type ClaimRule = z.infer<typeof ClaimRule>;

/** The schema of a client's `claim_rules` metadata. */
export const ClaimRules = z.array(ClaimRule).max(MAX_RULES);
export type ClaimRules = z.infer<typeof ClaimRules>;

/** What templates may name besides the claims. */
export interface ClaimRuleContext {
  tenant?: string;
  clientId?: string;
}

const PLACEHOLDER = /\{\{\s*([^\s{}]{1,200})\s*\}\}/g;

function lookup(claims: Record<string, unknown>, path: string, context: ClaimRuleContext): unknown {
  if (path === '$tenant') return context.tenant;
  if (path === '$client_id') return context.clientId;
  if (Object.hasOwn(claims, path)) return claims[path];
  let value: unknown = claims;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.filter((v) => ['string', 'number', 'boolean'].includes(typeof v)).join(' ');
  return '';
}

/** The template with every placeholder replaced by the claim's text (empty when missing). */
export function renderClaimTemplate(template: string, claims: Record<string, unknown>, context: ClaimRuleContext = {}): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => text(lookup(claims, path, context)));
}

const usable = (name: string) => !PROTECTED_CLAIMS.has(name) && !UNSAFE_KEYS.has(name);

/** A new claims object: `rules` applied in order to `claims` (which is left as it was). */
export function applyClaimRules(claims: Record<string, unknown>, rules: readonly ClaimRule[], context: ClaimRuleContext = {}): Record<string, unknown> {
  const result: Record<string, unknown> = { ...claims };
  for (const rule of rules) {
    if ('rename' in rule) {
      const { from, to } = rule.rename;
      if (!usable(from) || !usable(to) || !Object.hasOwn(result, from)) continue;
      const value = result[from];
      delete result[from];
      result[to] = value;
    } else if ('add' in rule) {
      const add = rule.add;
      if (!usable(add.claim)) continue;
      result[add.claim] = 'template' in add ? renderClaimTemplate(add.template, result, context) : add.value;
    } else if (usable(rule.remove)) {
      delete result[rule.remove];
    }
  }
  return result;
}
