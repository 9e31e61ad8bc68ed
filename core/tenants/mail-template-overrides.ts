// A tenant's overrides of the mail templates (tenants.settings.mail.<template>), as admins set
// them. Rules: an override is checked (TemplateOverride, overrideProblem) before it is stored;
// one that does not parse any more (edited by hand) reads as none, as the mailer ignores it too.
import type { Db } from '../infra/db.ts';
import { overrideProblem, TemplateOverride, type TemplateName } from '../infra/mail-templates.ts';

export type Override = typeof TemplateOverride._output;

export class TemplateOverrideError extends Error {}

export async function getOverrides(db: Db, tenant: string): Promise<Partial<Record<TemplateName, Override>>> {
  const [row] = await db`SELECT settings->'mail' AS mail FROM tenants WHERE id = ${tenant}`;
  const out: Partial<Record<TemplateName, Override>> = {};
  for (const [name, value] of Object.entries((row?.mail ?? {}) as Record<string, unknown>)) {
    const parsed = TemplateOverride.safeParse(value);
    if (parsed.success && Object.keys(parsed.data).length > 0) out[name as TemplateName] = parsed.data;
  }
  return out;
}

/** @throws TemplateOverrideError for an override the mailer must not send. */
export async function setOverride(db: Db, tenant: string, name: TemplateName, override: Override): Promise<Override> {
  const problem = overrideProblem(name, override);
  if (problem) throw new TemplateOverrideError(problem);
  await db`UPDATE tenants
    SET settings = jsonb_set(settings || jsonb_build_object('mail', coalesce(settings->'mail', '{}'::jsonb)),
                             array['mail', ${name}::text], ${db.json(override as never)})
    WHERE id = ${tenant}`;
  return override;
}

/** Back to the default; false when there was no override. */
export async function clearOverride(db: Db, tenant: string, name: TemplateName): Promise<boolean> {
  const rows = await db`UPDATE tenants SET settings = jsonb_set(settings, '{mail}', (settings->'mail') - ${name}::text)
    WHERE id = ${tenant} AND settings->'mail' ? ${name} RETURNING id`;
  return rows.length > 0;
}
