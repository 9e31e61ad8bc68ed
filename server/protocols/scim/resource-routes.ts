// The endpoints of one SCIM resource type (RFC 7644 §3.3-§3.6), for Users and Groups alike:
//   POST   /            create → 201 with Location and ETag
//   GET    /            list: filter, sortBy, sortOrder, startIndex, count, attributes, excludedAttributes
//   POST   /.search     the same from a SearchRequest body
//   GET    /{id}        → 200 with ETag, 304 when If-None-Match names the current version
//   PUT    /{id}        replace
//   PATCH  /{id}        PatchOp → 200 with the patched resource
//   DELETE /{id}        → 204
// Rules: a create or replace body must list the resource's schema (400 invalidSyntax); PUT, PATCH
// and DELETE with an If-Match that is not the current version change nothing (412); readOnly
// attributes in a create or replace body are ignored, in a PATCH refused (400 mutability); an
// unknown or malformed id is 404. The kind supplies reads and writes (users.ts, groups.ts).
import { Router, type Request, type Response } from 'express';
import { listQuery, pickPage } from '../../../core/scim/list-query.ts';
import { applyPatch } from '../../../core/scim/patch.ts';
import { project } from '../../../core/scim/projection.ts';
import { LIST_SCHEMA } from '../../../core/scim/schemas.ts';
import type { AttrDef } from '../../../core/scim/schema-types.ts';
import type { Filter } from '../../../core/scim/filter-parser.ts';
import { ScimError } from '../../../core/scim/scim-error.ts';
import type { ScimCaller, ScimDeps } from './admin-calls.ts';
import { checkIfMatch, notModified } from './preconditions.ts';
import { requireSchema, scimBase, scimCaller, searchInput } from './requests.ts';
import { scimBody, sendScim } from './scim-http.ts';

type Json = Record<string, unknown>;

export interface ResourceKind<View> {
  name: 'User' | 'Group';
  schema: string;
  attributes: readonly AttrDef[];
  load(caller: ScimCaller, id: string): Promise<View | undefined>;
  /** Every resource, or fewer when `filter` lets the store narrow them (the filter is applied afterwards anyway). */
  scan(caller: ScimCaller, filter?: Filter): AsyncIterable<View[]>;
  represent(view: View, base: string): Json;
  /** Creates from a client's body; returns the new id. */
  create(caller: ScimCaller, body: Json): Promise<string>;
  /** Makes the resource say what `body` says; `before` is the representation a PATCH started from. */
  update(caller: ScimCaller, view: View, body: Json, before?: Json): Promise<void>;
  remove(caller: ScimCaller, view: View): Promise<void>;
  idOf(view: View): string;
}

const versionOf = (resource: Json) => (resource.meta as { version: string }).version;

export function resourceRoutes<View>(deps: ScimDeps, kind: ResourceKind<View>): Router {
  const router = Router({ mergeParams: true });
  const target = { schema: kind.schema, attributes: kind.attributes };
  const notFound = () => new ScimError(404, `No such ${kind.name.toLowerCase()}.`);

  async function current(caller: ScimCaller, req: Request): Promise<{ view: View; resource: Json }> {
    const view = await kind.load(caller, String(req.params.id));
    if (!view) throw notFound();
    return { view, resource: kind.represent(view, scimBase(caller)) };
  }

  async function answer(caller: ScimCaller, req: Request, res: Response, id: string, status: number): Promise<void> {
    const view = await kind.load(caller, id);
    if (!view) throw notFound();
    const resource = kind.represent(view, scimBase(caller));
    if (status === 201) res.set('Location', String((resource.meta as Json).location));
    sendScim(res, status, project(resource, kind.schema, req.query.attributes, req.query.excludedAttributes), versionOf(resource));
  }

  async function list(caller: ScimCaller, input: Json, res: Response): Promise<void> {
    const query = listQuery(input);
    project({}, kind.schema, input.attributes, input.excludedAttributes);
    const base = scimBase(caller);
    const batches = (async function* () {
      for await (const views of kind.scan(caller, query.filter)) yield views.map((v) => kind.represent(v, base));
    })();
    const page = await pickPage(batches, query, target);
    const Resources = page.Resources.map((r) => project(r, kind.schema, input.attributes, input.excludedAttributes));
    sendScim(res, 200, { schemas: [LIST_SCHEMA], ...page, Resources });
  }

  router.get('/', async (req, res) => list(scimCaller(deps, req, res), req.query as Json, res));
  router.post('/.search', scimBody, async (req, res) => list(scimCaller(deps, req, res), searchInput(req.body), res));

  router.post('/', scimBody, async (req, res) => {
    const caller = scimCaller(deps, req, res);
    requireSchema(req.body, kind.schema);
    await answer(caller, req, res, await kind.create(caller, req.body), 201);
  });

  router.get('/:id', async (req, res) => {
    const caller = scimCaller(deps, req, res);
    const { resource } = await current(caller, req);
    if (notModified(req, resource)) return sendScim(res, 304, undefined, versionOf(resource));
    sendScim(res, 200, project(resource, kind.schema, req.query.attributes, req.query.excludedAttributes), versionOf(resource));
  });

  router.put('/:id', scimBody, async (req, res) => {
    const caller = scimCaller(deps, req, res);
    requireSchema(req.body, kind.schema);
    const { view, resource } = await current(caller, req);
    checkIfMatch(req, resource);
    await kind.update(caller, view, req.body);
    await answer(caller, req, res, kind.idOf(view), 200);
  });

  router.patch('/:id', scimBody, async (req, res) => {
    const caller = scimCaller(deps, req, res);
    const { view, resource } = await current(caller, req);
    checkIfMatch(req, resource);
    await kind.update(caller, view, applyPatch(resource, req.body, target), resource);
    await answer(caller, req, res, kind.idOf(view), 200);
  });

  router.delete('/:id', async (req, res) => {
    const caller = scimCaller(deps, req, res);
    const { view, resource } = await current(caller, req);
    checkIfMatch(req, resource);
    await kind.remove(caller, view);
    sendScim(res, 204);
  });

  return router;
}
