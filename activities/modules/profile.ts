// profile: collects the profile attributes the tenant requires (`tessera settings profile`) or
// the node lists (`fields`, which then replaces the tenant's list) that the user has not filled.
// Rules: nothing missing → `ok` without a step; only the missing attributes are asked and only
// those are saved; values are one line of at most 200 characters (control characters become
// spaces; a value left empty is not saved). With `review` (what the tenant's forceProfileUpdate
// runs on a first sign-in) every field, the name first, is shown filled in with the current value,
// and answering marks the profile reviewed.
import { z } from 'zod';
import type { Field } from '../../core/journeys/journey-types.ts';
import { ATTRIBUTE_MAX, attributeKeysProblem, getAttributes, getRequiredAttributes, saveAttributes } from '../../core/accounts/profile.ts';
import { markProfileReviewed } from '../../core/accounts/user-lifecycle.ts';
import { defineModule } from './module.ts';

const LABELS: Record<string, { label: string; autocomplete?: string }> = {
  name: { label: 'Full name', autocomplete: 'name' },
  given_name: { label: 'First name', autocomplete: 'given-name' },
  family_name: { label: 'Last name', autocomplete: 'family-name' },
  phone: { label: 'Phone number', autocomplete: 'tel' },
  phone_number: { label: 'Phone number', autocomplete: 'tel' },
  organization: { label: 'Organization', autocomplete: 'organization' },
  country: { label: 'Country', autocomplete: 'country-name' },
};

function field(key: string, value?: string): Field {
  const known = LABELS[key];
  const label = known?.label ?? `${key.charAt(0).toUpperCase()}${key.slice(1).replace(/_/g, ' ')}`;
  return {
    name: key, type: 'text', label, required: true, maxLength: ATTRIBUTE_MAX,
    ...(known?.autocomplete ? { autocomplete: known.autocomplete } : {}), ...(value !== undefined ? { value } : {}),
  };
}

const Keys = z.array(z.string()).superRefine((keys, check) => {
  const problem = attributeKeysProblem(keys);
  if (problem) check.addIssue({ code: 'custom', message: problem });
});

export const profileModule = defineModule({
  type: 'profile',
  config: z.object({ fields: Keys.optional(), review: z.boolean().default(false) }).strict(),
  outcomes: ['ok'],
  rememberOutcomes: [],
  async prepare({ ctx, config }, { db }) {
    if (!ctx.user) return { kind: 'outcome', outcome: 'ok' };
    let wanted = config.fields ?? await getRequiredAttributes(db, ctx.tenant);
    if (config.review) {
      wanted = ['name', ...wanted.filter((key) => key !== 'name')];
      const have = await getAttributes(db, ctx.tenant, ctx.user.id, wanted);
      return {
        kind: 'step',
        step: { type: 'form', title: 'Review your profile', description: 'Please check your details before you continue.', fields: wanted.map((key) => field(key, have[key])) },
      };
    }
    if (wanted.length === 0) return { kind: 'outcome', outcome: 'ok' };
    const have = await getAttributes(db, ctx.tenant, ctx.user.id, wanted);
    const missing = wanted.filter((key) => !(key in have));
    if (missing.length === 0) return { kind: 'outcome', outcome: 'ok' };
    return {
      kind: 'step',
      step: { type: 'form', title: 'Complete your profile', description: 'We need a few more details before you continue.', fields: missing.map((key) => field(key)) },
    };
  },
  async verify({ ctx, config }, values, { db }) {
    const clean: Record<string, string> = {};
    for (const [key, raw] of Object.entries(values)) {
      // eslint-disable-next-line no-control-regex
      const value = raw.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
      if (value) clean[key] = value;
    }
    if (ctx.user && Object.keys(clean).length > 0) await saveAttributes(db, ctx.tenant, ctx.user.id, clean);
    if (ctx.user && config.review) await markProfileReviewed(db, ctx.tenant, ctx.user.id);
    return { outcome: 'ok' };
  },
});
