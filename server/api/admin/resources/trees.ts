// Authentication trees of a tenant, versioned (each import is a new version, none is ever deleted:
// journeys in flight finish on the version they started with):
//   GET  /trees                               the latest version of each tree, by name
//   GET  /trees/{name}                        the latest definition (ETag: send it as If-Match to import)
//   GET  /trees/{name}/versions               newest first
//   GET  /trees/{name}/versions/{version}
//   POST /trees/{name}/versions               import: the tree JSON → 201, the new version
//   GET  /trees/{name}/diff?from=&to=         what changed between two versions
// Rules: an import is checked by the same validator as `tessera trees import`
// (workflows/tree/validate.ts); an invalid tree → 400 `invalid_tree` with `errors: [{ node?, message }]`
// naming the node, and nothing is stored; the body's name must be the path's (or is filled in
// from it), its `version` is ignored; unknown trees and versions → 404.
// Journeys in flight per version come from Temporal visibility (journeys-in-flight.ts). Versions
// are never deleted.
import { z } from 'zod';
import { moduleCatalog } from '../../../../activities/registry.ts';
import { diffTrees } from '../../../../core/journeys/tree-diff.ts';
import { getTree, listTreeSummaries, listTreeVersions, saveTree, type StoredTree } from '../../../../core/journeys/trees.ts';
import { formatTreeErrors, validateTree } from '../../../../workflows/tree/validate.ts';
import { HttpError, notFound } from '../../../http-error.ts';
import { journeysInFlight } from '../journeys-in-flight.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { decodeCursor, ListQuery, page } from '../pagination.ts';
import { Timestamp } from '../schemas.ts';

const read = { area: 'manage', write: false } as const;
const write = { area: 'manage', write: true } as const;
const MAX_VERSION = 2 ** 31 - 1;

const NodeJson = z.object({
  type: z.string().max(100).describe('Module type, e.g. `password`.'),
  config: z.record(z.string().max(100), z.unknown()).optional().describe("Checked against the module's config schema."),
  next: z.record(z.string().max(100), z.string().max(64)).describe('Outcome → node id, `success` or `failure`.'),
  remember: z.object({ in: z.enum(['session', 'cookie', 'none']), for: z.string().max(16) }).strict().optional(),
});
const TreeJson = z.looseObject({
  name: z.string(), version: z.number().int(), start: z.string(), acr: z.string().optional(),
  nodes: z.record(z.string(), NodeJson.loose()),
});
const TreeBody = z.object({
  name: z.string().max(63).optional().describe("The path's name when absent; must equal it when present."),
  version: z.number().int().optional().describe('Ignored: the new version is the next number.'),
  start: z.string().max(64),
  acr: z.string().max(200).optional(),
  nodes: z.record(z.string().max(64), NodeJson.strict()),
}).strict();

const VersionJson = z.object({ name: z.string(), version: z.number().int(), createdAt: Timestamp, tree: TreeJson });
const TreeSummaryJson = z.object({
  name: z.string(), version: z.number().int().describe('The latest version.'), versions: z.number().int().describe('How many versions exist.'),
  start: z.string(), nodes: z.number().int().describe('Nodes in the latest version.'),
  createdAt: Timestamp.describe('When version 1 was stored.'), updatedAt: Timestamp.describe('When the latest version was stored.'),
});
const VersionSummaryJson = z.object({ version: z.number().int(), start: z.string(), nodes: z.number().int(), createdAt: Timestamp });
const Change = <T extends z.ZodType>(value: T) => z.object({ from: value, to: value }).nullable();
const DiffJson = z.object({
  name: z.string(), from: z.number().int(), to: z.number().int(),
  start: Change(z.string()), acr: Change(z.string().nullable()),
  added: z.array(z.object({ node: z.string(), type: z.string() })),
  removed: z.array(z.object({ node: z.string(), type: z.string() })),
  changed: z.array(z.object({
    node: z.string(),
    fields: z.array(z.object({ field: z.string().describe('`type`, `remember`, `config.<key>` or `next.<outcome>`.'), from: z.unknown(), to: z.unknown() })),
  })),
});

const NameParams = z.object({ name: z.string().min(1).max(200) });
const VersionParams = NameParams.extend({ version: z.string().min(1).max(20) });
const VersionNumber = z.coerce.number().int().min(1).max(MAX_VERSION);

const versionJson = (s: StoredTree) => ({ name: s.name, version: s.version, createdAt: s.createdAt, tree: { ...s.tree, version: s.version } as z.input<typeof TreeJson> });

/** A version number from a path segment; anything else is an unknown version (404). */
function versionOf(text: string): number {
  const version = /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : NaN;
  if (!(version <= MAX_VERSION)) throw notFound('No such tree version.');
  return version;
}

/** @throws HttpError 404 when the tenant has no such tree (version). */
async function stored(db: Parameters<typeof getTree>[0], tenant: string, name: string, version?: number): Promise<StoredTree> {
  const tree = await getTree(db, tenant, name, version);
  if (!tree) throw notFound(version === undefined ? 'No such tree.' : 'No such tree version.');
  return tree;
}

/** The message of a refused import (the CLI prints it after its own prefix). */
export const TREE_REFUSED = 'The tree is invalid: ';

export const operations: Operation[] = [
  defineOperation({
    id: 'trees.list', method: 'GET', path: '/trees', scope: 'tenant', tag: 'trees', summary: 'Trees (their latest versions), by name',
    access: read, query: ListQuery, response: z.object({ items: z.array(TreeSummaryJson), next: z.string().nullable() }),
    async run({ db, tenant }, { query }) {
      const after = decodeCursor(query.cursor, z.object({ name: z.string() }));
      const rows = await listTreeSummaries(db, tenant, { after: after?.name, limit: query.limit + 1 });
      return page(rows, query.limit, (t) => ({ name: t.name }), (t) => t);
    },
  }),
  defineOperation({
    id: 'trees.get', method: 'GET', path: '/trees/{name}', scope: 'tenant', tag: 'trees', summary: 'The latest version of a tree',
    access: read, params: NameParams, response: VersionJson, etagOf: 'trees.get',
    async run({ db, tenant }, { params }) {
      return versionJson(await stored(db, tenant, params.name));
    },
  }),
  defineOperation({
    id: 'trees.versions', method: 'GET', path: '/trees/{name}/versions', scope: 'tenant', tag: 'trees', summary: "A tree's versions, newest first",
    description: '`inFlight`: journeys started on this tree and running now, by the version they run (from Temporal visibility; '
      + '`inFlightComplete` false when more running journeys exist than were scanned).',
    access: read, params: NameParams, query: ListQuery,
    response: z.object({
      items: z.array(VersionSummaryJson.extend({ inFlight: z.number().int().optional().describe('Absent when Temporal could not be asked (the CLI without Temporal).') })),
      next: z.string().nullable(), inFlightComplete: z.boolean(),
    }),
    async run({ db, tenant, temporal }, { params, query }) {
      const before = decodeCursor(query.cursor, z.object({ version: z.number().int() }));
      const rows = await listTreeVersions(db, tenant, params.name, { before: before?.version, limit: query.limit + 1 });
      if (rows.length === 0 && !before) throw notFound('No such tree.');
      // The CLI may run with no Temporal to ask: the versions are still worth listing.
      const inFlight = await temporal().then((client) => journeysInFlight(client, db, tenant, params.name), () => undefined);
      const result = page(rows, query.limit, (v) => ({ version: v.version }), (v) => ({ ...v, ...(inFlight ? { inFlight: inFlight.byVersion.get(v.version) ?? 0 } : {}) }));
      return { ...result, inFlightComplete: inFlight?.complete ?? false };
    },
  }),
  defineOperation({
    id: 'trees.get-version', method: 'GET', path: '/trees/{name}/versions/{version}', scope: 'tenant', tag: 'trees', summary: 'One version of a tree',
    access: read, params: VersionParams, response: VersionJson,
    async run({ db, tenant }, { params }) {
      return versionJson(await stored(db, tenant, params.name, versionOf(params.version)));
    },
  }),
  defineOperation({
    id: 'trees.import', method: 'POST', path: '/trees/{name}/versions', scope: 'tenant', tag: 'trees',
    summary: 'Import a tree as its next version (validated first)',
    description: 'An invalid tree is refused with 400 `invalid_tree` and `errors: [{ node?, message }]` beside `error`, each naming the node at fault; '
      + 'nothing is stored. With If-Match (the ETag of GET /trees/{name}), refused with 412 when another version was imported since.',
    access: write, params: NameParams, body: TreeBody, response: VersionJson, status: 201, etagOf: 'trees.get',
    async run(ctx, { params, body }) {
      if (body.name !== undefined && body.name !== params.name) {
        throw new HttpError(400, 'name_mismatch', `The tree is named "${body.name.slice(0, 63)}" but the path names "${params.name.slice(0, 63)}".`);
      }
      const { version: _ignored, ...definition } = body;
      const check = validateTree({ ...definition, name: params.name }, moduleCatalog);
      if (!check.ok) throw new HttpError(400, 'invalid_tree', `${TREE_REFUSED}${formatTreeErrors(check.errors)}.`, { errors: check.errors });
      const saved = await saveTree(ctx.db, ctx.tenant, check.tree);
      ctx.note({ subject: saved.name, data: { name: saved.name, version: saved.version } });
      return versionJson(saved);
    },
  }),
  defineOperation({
    id: 'trees.validate', method: 'POST', path: '/trees/{name}/validate', scope: 'tenant', tag: 'trees', audit: false,
    summary: 'Check a tree without saving it (what an editor calls as the admin types)',
    access: read, params: NameParams, body: TreeBody,
    response: z.object({ valid: z.boolean(), errors: z.array(z.object({ node: z.string().optional(), message: z.string() })) }),
    async run(_ctx, { params, body }) {
      const { version: _ignored, ...definition } = body;
      const check = validateTree({ ...definition, name: params.name }, moduleCatalog);
      return check.ok ? { valid: true, errors: [] } : { valid: false, errors: check.errors };
    },
  }),
  defineOperation({
    id: 'trees.diff', method: 'GET', path: '/trees/{name}/diff', scope: 'tenant', tag: 'trees', summary: 'What changed between two versions of a tree',
    access: read, params: NameParams,
    query: z.object({
      from: VersionNumber.optional().describe('Default: the version before `to`.'),
      to: VersionNumber.optional().describe('Default: the latest version.'),
    }),
    response: DiffJson,
    async run({ db, tenant }, { params, query }) {
      const to = await stored(db, tenant, params.name, query.to);
      const from = await stored(db, tenant, params.name, query.from ?? Math.max(1, to.version - 1));
      return { name: to.name, from: from.version, to: to.version, ...diffTrees(from.tree, to.tree) };
    },
  }),
];
