// Checks an admin API answer against the OpenAPI document the server serves: the route is found by
// method and path template, the status must be documented for it, and the body must validate
// against that status's schema (JSON Schema 2020-12, ajv: independent of the zod schemas the
// server checks with). Deterministic: every answer a test receives is checked, not a sample.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type Operation = { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
type Doc = { paths: Record<string, Record<string, Operation>>; components: Record<string, unknown> };

interface Checker { doc: Doc; templates: { template: string; pattern: RegExp; literals: number }[]; ajv: Ajv2020; compiled: Map<string, ValidateFunction> }

const checkers = new Map<string, Promise<Checker>>();

async function checkerFor(base: string): Promise<Checker> {
  const res = await fetch(`${base}/api/admin/openapi.json`);
  if (res.status !== 200) throw new Error(`GET /api/admin/openapi.json answered ${res.status}`);
  const doc = await res.json() as Doc;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
  // Literal segments first: `/trees/{name}/diff` wins over `/trees/{name}/versions/{version}`-like overlaps.
  const templates = Object.keys(doc.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}/]+\}/g, '[^/]+')}$`),
    literals: template.split('/').filter((s) => s && !s.startsWith('{')).length,
  })).sort((a, b) => b.literals - a.literals);
  return { doc, templates, ajv, compiled: new Map() };
}

/**
 * @throws Error naming the route and what does not match: an undocumented status, or a body
 * outside the documented schema. A path no template matches may only answer 404.
 */
export async function checkAnswer(base: string, method: string, url: string, status: number, body: unknown): Promise<void> {
  let pending = checkers.get(base);
  if (!pending) checkers.set(base, pending = checkerFor(base));
  const checker = await pending;
  const path = new URL(url, base).pathname;
  const route = checker.templates.find((t) => t.pattern.test(path) && checker.doc.paths[t.template]![method.toLowerCase()]);
  const what = `${method} ${path} answered ${status}`;
  if (!route) {
    if (status === 404 || status === 405) return;
    throw new Error(`${what}, but the OpenAPI document has no such route`);
  }
  const operation = checker.doc.paths[route.template]![method.toLowerCase()]!;
  const response = operation.responses[String(status)];
  if (!response) throw new Error(`${what} (${JSON.stringify(body).slice(0, 300)}), which the document does not describe for ${route.template}`);
  const schema = response.content?.['application/json']?.schema;
  if (!schema) {
    if (body !== '' && body !== undefined) throw new Error(`${what} with a body, but the document describes none`);
    return;
  }
  const key = `${method} ${route.template} ${status}`;
  let validate = checker.compiled.get(key);
  if (!validate) {
    validate = checker.ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/')));
    checker.compiled.set(key, validate);
  }
  if (!validate(body)) {
    throw new Error(`${what} outside the documented schema of ${route.template}: ${checker.ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
  }
}
