// The mail a tenant sends, template by template (defaults in code, core/infra/mail-templates.ts;
// overrides in tenants.settings.mail):
//   GET    /mail-templates                  every template: default, override or null, placeholders
//   GET    /mail-templates/{name}
//   PUT    /mail-templates/{name}           { subject?, text?, html? }: the override (parts not given stay default)
//   DELETE /mail-templates/{name}           → 204: back to the default
//   POST   /mail-templates/{name}/preview   { vars?, subject?, text?, html? } → rendered, with example values
// Rules: an override uses only its template's placeholders, keeps codes and links out of the
// subject, and its HTML cannot carry active content once filled (overrideProblem); values are
// HTML-escaped in the HTML part as when mailing; a preview sends nothing and changes nothing
// (no audit event).
import { z } from 'zod';
import {
  DEFAULT_TEMPLATES, isTemplateName, overrideProblem, renderTemplate, TEMPLATE_NAMES, TEMPLATE_PLACEHOLDERS, TemplateOverride, type TemplateName,
} from '../../../../core/infra/mail-templates.ts';
import { clearOverride, getOverrides, setOverride, TemplateOverrideError, type Override } from '../../../../core/tenants/mail-template-overrides.ts';
import { HttpError, notFound } from '../../../http-error.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { decodeCursor, ListQuery, listOf, page } from '../pagination.ts';

const read = { area: 'manage', write: false } as const;
const write = { area: 'manage', write: true } as const;

const Content = z.object({ subject: z.string(), text: z.string(), html: z.string() });
const TemplateJson = z.object({
  name: z.enum(TEMPLATE_NAMES),
  placeholders: z.array(z.string()).describe('The values the template is sent with, as {{name}}.'),
  default: Content,
  override: z.object({ subject: z.string().optional(), text: z.string().optional(), html: z.string().optional() }).nullable()
    .describe('The tenant\'s own parts (the others are the default\'s); null: all default.'),
});
const NameParams = z.object({ name: z.string().min(1).max(100) });
const OverrideBody = TemplateOverride.refine((o) => Object.keys(o).length > 0, 'give at least one of subject, text, html');
const Vars = z.record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/), z.string().max(2000)).refine((v) => Object.keys(v).length <= 20, 'at most 20 values');
const PreviewBody = TemplateOverride.extend({ vars: Vars.optional().describe('Values to fill in instead of the examples.') }).strict();

function templateName(name: string): TemplateName {
  if (!isTemplateName(name)) throw notFound('No such mail template.');
  return name;
}

const templateJson = (name: TemplateName, override: Override | undefined) => ({
  name, placeholders: [...TEMPLATE_PLACEHOLDERS[name]], default: DEFAULT_TEMPLATES[name], override: override ?? null,
});

/** Example values, so a preview reads like a real message. */
function exampleVars(publicUrl: string, tenant: string): Record<string, string> {
  return {
    tenant, name: 'Ada Lovelace', email: 'ada@example.com', code: '123456', link: `${publicUrl}/t/${tenant}/ui/link#token=example`,
    expires: '10 minutes', deadline: '1 January 2030', requested: '25 December 2029', reason: 'An example reason.', inviter: 'Grace Hopper',
  };
}

export const operations: Operation[] = [
  defineOperation({
    id: 'mail-templates.list', method: 'GET', path: '/mail-templates', scope: 'tenant', tag: 'mail-templates',
    summary: 'Every mail template with its default and the tenant\'s override', access: read, query: ListQuery, response: listOf(TemplateJson),
    async run({ db, tenant }, { query }) {
      const after = decodeCursor(query.cursor, z.object({ name: z.string() }))?.name;
      const overrides = await getOverrides(db, tenant);
      const names = [...TEMPLATE_NAMES].sort().filter((n) => after === undefined || n > after).slice(0, query.limit + 1);
      return page(names, query.limit, (n) => ({ name: n }), (n) => templateJson(n, overrides[n]));
    },
  }),
  defineOperation({
    id: 'mail-templates.get', method: 'GET', path: '/mail-templates/{name}', scope: 'tenant', tag: 'mail-templates',
    summary: 'One mail template', access: read, params: NameParams, response: TemplateJson, etagOf: 'mail-templates.get',
    async run({ db, tenant }, { params }) {
      const name = templateName(params.name);
      return templateJson(name, (await getOverrides(db, tenant))[name]);
    },
  }),
  defineOperation({
    id: 'mail-templates.set', method: 'PUT', path: '/mail-templates/{name}', scope: 'tenant', tag: 'mail-templates',
    summary: 'Override a template (replaces any earlier override)', access: write,
    params: NameParams, body: OverrideBody, response: TemplateJson, etagOf: 'mail-templates.get',
    async run(ctx, { params, body }) {
      const name = templateName(params.name);
      try {
        await setOverride(ctx.db, ctx.tenant, name, body);
      } catch (err) {
        if (err instanceof TemplateOverrideError) throw new HttpError(400, 'invalid_request', `body.${err.message}`);
        throw err;
      }
      ctx.note({ subject: name, data: { parts: Object.keys(body) } });
      return templateJson(name, body);
    },
  }),
  defineOperation({
    id: 'mail-templates.reset', method: 'DELETE', path: '/mail-templates/{name}', scope: 'tenant', tag: 'mail-templates',
    summary: 'Back to the default template', access: write,
    params: NameParams, response: z.undefined(), status: 204, etagOf: 'mail-templates.get',
    async run(ctx, { params }) {
      const name = templateName(params.name);
      const had = await clearOverride(ctx.db, ctx.tenant, name);
      ctx.note({ subject: name, data: { hadOverride: had } });
      return undefined;
    },
  }),
  defineOperation({
    id: 'mail-templates.preview', audit: false, method: 'POST', path: '/mail-templates/{name}/preview', scope: 'tenant', tag: 'mail-templates',
    summary: 'The message as it would be sent, filled with example values (or `vars`); optionally with unsaved parts', access: read,
    params: NameParams, body: PreviewBody, optionalBody: true, response: Content,
    async run(ctx, { params, body }) {
      const name = templateName(params.name);
      const { vars, ...draft } = body;
      const problem = overrideProblem(name, draft);
      if (problem) throw new HttpError(400, 'invalid_request', `body.${problem}`);
      const stored = (await getOverrides(ctx.db, ctx.tenant))[name];
      // Nothing changes: no audit event (an empty audit tenant records none).
      return renderTemplate(name, { ...exampleVars(ctx.config.publicUrl, ctx.tenant), ...vars }, { ...stored, ...draft });
    },
  }),
];
