// Terms of service versions of a tenant:
//   GET  /terms                    versions, newest first (the first is current), with acceptance counts
//   POST /terms                    { url, title? } → 201: the next version, current at once (every user accepts again)
//   GET  /terms/{id}               one version ({id} is the version number)
//   GET  /terms/{id}/acceptances   who accepted it, newest first
// Rules: the URL is http(s) and at most 2000 characters, the title one line of at most 200
// (core/accounts/terms.ts checkTerms); versions are never edited or deleted, since acceptances
// name them; unknown or malformed version → 404.
import { z } from 'zod';
import {
  acceptanceCount, addTerms, checkTerms, DEFAULT_TERMS_TITLE, getTerms, listAcceptancesPage, listTermsPage, TermsInputError, type TermsVersion,
} from '../../../../core/accounts/terms.ts';
import { notFound } from '../../../http-error.ts';
import { tenantHidden } from '../execute.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { decodeCursor, ListQuery, listOf, page } from '../pagination.ts';
import { IdParams, Timestamp } from '../schemas.ts';

const read = { area: 'manage', write: false } as const;
const write = { area: 'manage', write: true } as const;

const TermsJson = z.object({
  version: z.number().int().positive().describe('Also the {id} of the version.'),
  url: z.string(), title: z.string(), createdAt: Timestamp,
  acceptances: z.number().int().describe('Users who accepted this version.'),
});
const AcceptanceJson = z.object({ userId: z.uuid(), acceptedAt: Timestamp, journeyId: z.string().nullable() });

function termsProblem(url: string, title: string): string | undefined {
  try {
    checkTerms(url, title);
    return undefined;
  } catch (err) {
    if (err instanceof TermsInputError) return err.message;
    throw err;
  }
}

const CreateBody = z.object({
  url: z.string().min(1).max(2000).describe('Where the terms are published (http or https).'),
  title: z.string().max(200).optional().describe(`Default "${DEFAULT_TERMS_TITLE}".`),
}).strict().superRefine((body, ctx) => {
  const problem = termsProblem(body.url, body.title ?? DEFAULT_TERMS_TITLE);
  if (problem) ctx.addIssue({ code: 'custom', path: [/url/i.test(problem) ? 'url' : 'title'], message: problem });
});

/** {id} as a version number, or undefined (→ 404) when it is none. */
const versionOf = (id: string) => (/^[1-9][0-9]{0,8}$/.test(id) ? Number(id) : undefined);

const termsJson = (t: TermsVersion, acceptances: number) => ({ version: t.version, url: t.url, title: t.title, createdAt: t.createdAt, acceptances });

export const operations: Operation[] = [
  defineOperation({
    id: 'terms.list', method: 'GET', path: '/terms', scope: 'tenant', tag: 'terms',
    summary: 'Terms versions, newest (current) first', access: read, query: ListQuery, response: listOf(TermsJson),
    async run({ db, tenant }, { query }) {
      const before = decodeCursor(query.cursor, z.object({ version: z.number().int() }))?.version;
      const rows = await listTermsPage(db, tenant, { before, limit: query.limit + 1 });
      return page(rows, query.limit, (t) => ({ version: t.version }), (t) => termsJson(t, t.acceptances));
    },
  }),
  defineOperation({
    id: 'terms.create', method: 'POST', path: '/terms', scope: 'tenant', tag: 'terms',
    summary: 'Publish a new version: it is current at once and every user is asked to accept it', access: write,
    body: CreateBody, response: TermsJson, status: 201,
    async run(ctx, { body }) {
      let terms: TermsVersion;
      try {
        terms = await addTerms(ctx.db, ctx.tenant, body.url, body.title ?? DEFAULT_TERMS_TITLE);
      } catch (err) {
        if (err instanceof TermsInputError && /no tenant/.test(err.message)) throw tenantHidden(ctx.tenant);
        throw err;
      }
      ctx.note({ subject: String(terms.version), data: { version: terms.version, url: terms.url, title: terms.title } });
      return termsJson(terms, 0);
    },
  }),
  defineOperation({
    id: 'terms.get', method: 'GET', path: '/terms/{id}', scope: 'tenant', tag: 'terms',
    summary: 'One terms version', access: read, params: IdParams, response: TermsJson,
    async run({ db, tenant }, { params }) {
      const version = versionOf(params.id);
      const terms = version && await getTerms(db, tenant, version);
      if (!terms) throw notFound('No such terms version.');
      return termsJson(terms, await acceptanceCount(db, tenant, terms.version));
    },
  }),
  defineOperation({
    id: 'terms.acceptances', method: 'GET', path: '/terms/{id}/acceptances', scope: 'tenant', tag: 'terms',
    summary: 'Who accepted a terms version, newest first', access: read, params: IdParams, query: ListQuery, response: listOf(AcceptanceJson),
    async run({ db, tenant }, { params, query }) {
      const version = versionOf(params.id);
      if (!version || !(await getTerms(db, tenant, version))) throw notFound('No such terms version.');
      const after = decodeCursor(query.cursor, z.object({ acceptedAt: z.string(), userId: z.uuid() }));
      const rows = await listAcceptancesPage(db, tenant, version, { after, limit: query.limit + 1 });
      return page(rows, query.limit, (a) => ({ acceptedAt: a.acceptedAt.toISOString(), userId: a.userId }), (a) => a);
    },
  }),
];
