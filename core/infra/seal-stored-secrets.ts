// Whole-table work on the sealed columns (core/infra/secret-columns.ts): sealing plaintext rows
// left from before sealing existed (the start-up step), re-sealing under the newest key
// (`tessera data-keys rotate`) and counting values per key id (`tessera data-keys status`).
// Rules:
// - rows are rewritten in batches by compare-and-set on the old stored value: a row changed
//   meanwhile (by the application, or by another process doing the same) is left to that writer,
//   so running this twice or from two processes at once is harmless;
// - a value that does not open (missing key, altered) is counted by key id and left unchanged;
//   nothing of any value reaches a message;
// - `tenant` limits the work to one tenant's rows (every key starts with the tenant).
import type { Db } from './db.ts';
import type { DataKeyring } from './data-encryption.ts';
import { SealedValueError } from './data-encryption.ts';
import { SECRET_COLUMNS, type SecretColumn } from './secret-columns.ts';

const BATCH = 500;
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const pathLiteral = (path: readonly string[]) => `'{${path.join(',')}}'`;

/** The stored value as text (NULL when the row has no such secret). */
function valueSql(col: SecretColumn, alias: string): string {
  const c = `${alias}.${ident(col.column)}`;
  if (col.shape === 'text') return c;
  if (col.shape === 'json') return `(CASE WHEN jsonb_typeof(${c}) = 'string' THEN ${c} #>> '{}' ELSE ${c}::text END)`;
  return `(${c} #>> ${pathLiteral(col.path!)})`;
}

/** The new column value for the text `v.new`. */
function setSql(col: SecretColumn, alias: string): string {
  if (col.shape === 'text') return 'v.new';
  if (col.shape === 'json') return 'to_jsonb(v.new)';
  return `jsonb_set(${alias}.${ident(col.column)}, ${pathLiteral(col.path!)}, to_jsonb(v.new))`;
}

const tenantFilter = (col: SecretColumn, alias: string, param: string) => `${alias}.${ident(col.key[0]!.name)} = ${param}`;

export interface ColumnStatus {
  name: string;
  place: string;
  /** Values not sealed yet. */
  plaintext: number;
  /** Sealed values per key id. */
  byKey: Record<string, number>;
}

const placeOf = (col: SecretColumn) => `${col.table}.${col.column}${col.path ? `.${col.path.join('.')}` : ''}`;

/** Counts per column: plaintext values, and sealed ones per key id. Reads no value out of the database. */
export async function secretsStatus(db: Db, opts: { tenant?: string } = {}): Promise<ColumnStatus[]> {
  const out: ColumnStatus[] = [];
  for (const col of Object.values(SECRET_COLUMNS) as SecretColumn[]) {
    const where = opts.tenant ? `WHERE ${tenantFilter(col, 't', '$1')}` : '';
    const rows = await db.unsafe(`SELECT CASE WHEN v LIKE 'enc:v1:%' THEN split_part(v, ':', 3) END AS kid, count(*)::int AS n
      FROM (SELECT ${valueSql(col, 't')} AS v FROM ${ident(col.table)} t ${where}) s WHERE v IS NOT NULL GROUP BY 1 ORDER BY 1`,
    opts.tenant ? [opts.tenant] : []);
    const status: ColumnStatus = { name: col.name, place: placeOf(col), plaintext: 0, byKey: {} };
    for (const r of rows) {
      if (r.kid === null) status.plaintext = r.n;
      else status.byKey[r.kid] = r.n;
    }
    out.push(status);
  }
  return out;
}

export interface RewriteReport {
  name: string;
  place: string;
  /** Values written under the keyring's current key. */
  sealed: number;
  /** Values that could not be opened, per key id (left unchanged). */
  failed: Record<string, number>;
}

type Which = 'plaintext' | 'not-current';

async function rewriteColumn(db: Db, keyring: DataKeyring, col: SecretColumn, which: Which, tenant?: string): Promise<RewriteReport> {
  const report: RewriteReport = { name: col.name, place: placeOf(col), sealed: 0, failed: {} };
  const keys = col.key.map((k) => `t.${ident(k.name)}`);
  const keyTuple = `(${keys.map((k) => `${k}::text`).join(', ')})`;
  // LIKE pattern: `_` in a key id is a literal (the ids allow [\w.-]).
  const params: string[] = [which === 'plaintext' ? 'enc:v1:%' : `enc:v1:${keyring.currentKeyId.replace(/_/g, '\\_')}:%`];
  const tenantWhere = tenant ? `AND ${tenantFilter(col, 't', `$${params.push(tenant)}`)}` : '';
  const afterParam = params.length + 1;
  let after: string[] | undefined;
  for (;;) {
    const page = await db.unsafe(`SELECT ${keys.map((k, i) => `${k}::text AS k${i}`).join(', ')}, ${valueSql(col, 't')} AS v
      FROM ${ident(col.table)} t
      WHERE ${valueSql(col, 't')} IS NOT NULL AND ${valueSql(col, 't')} NOT LIKE $1 ${tenantWhere}
      ${after ? `AND ${keyTuple} > (SELECT ${col.key.map((_, i) => `x->>${i}`).join(', ')} FROM (SELECT $${afterParam}::text::jsonb AS x) a)` : ''}
      ORDER BY ${keyTuple} LIMIT ${BATCH}`, after ? [...params, JSON.stringify(after)] : params);
    if (page.length === 0) return report;
    const updates: { k: string[]; old: string; new: string }[] = [];
    for (const r of page) {
      const row = col.key.map((_, i) => r[`k${i}`] as string);
      const where = { table: col.table, column: col.column, path: col.path, row };
      try {
        updates.push({ k: row, old: r.v, new: keyring.seal(keyring.open(r.v, where), where) });
      } catch (err) {
        if (!(err instanceof SealedValueError)) throw err;
        const id = err.keyId ?? '(malformed)';
        report.failed[id] = (report.failed[id] ?? 0) + 1;
      }
    }
    if (updates.length > 0) report.sealed += await applyUpdates(db, col, updates);
    const last = page[page.length - 1]!;
    after = col.key.map((_, i) => last[`k${i}`] as string);
    if (page.length < BATCH) return report;
  }
}

/** Compare-and-set of a batch; returns how many rows were written. */
async function applyUpdates(db: Db, col: SecretColumn, updates: { k: string[]; old: string; new: string }[]): Promise<number> {
  const fields = col.key.map((_, i) => `k${i} text`).join(', ');
  const rows = updates.map((u) => ({ ...Object.fromEntries(u.k.map((v, i) => [`k${i}`, v])), old: u.old, new: u.new }));
  const match = col.key.map((k, i) => `t.${ident(k.name)} = v.k${i}::${k.type}`).join(' AND ');
  const result = await db.unsafe(`UPDATE ${ident(col.table)} AS t SET ${ident(col.column)} = ${setSql(col, 't')}
    FROM jsonb_to_recordset($1::text::jsonb) AS v(${fields}, old text, new text)
    WHERE ${match} AND ${valueSql(col, 't')} = v.old`, [JSON.stringify(rows)]);
  return result.count;
}

async function rewriteAll(db: Db, keyring: DataKeyring, which: Which, tenant?: string): Promise<RewriteReport[]> {
  const out: RewriteReport[] = [];
  for (const col of Object.values(SECRET_COLUMNS) as SecretColumn[]) out.push(await rewriteColumn(db, keyring, col, which, tenant));
  return out;
}

/** Seals every plaintext secret under the current key (idempotent). */
export function sealPlaintextSecrets(db: Db, keyring: DataKeyring, opts: { tenant?: string } = {}): Promise<RewriteReport[]> {
  return rewriteAll(db, keyring, 'plaintext', opts.tenant);
}

/** Re-seals every secret not under the current key (plaintext included). */
export function resealSecrets(db: Db, keyring: DataKeyring, opts: { tenant?: string } = {}): Promise<RewriteReport[]> {
  return rewriteAll(db, keyring, 'not-current', opts.tenant);
}

/** Key ids found in the database that the keyring lacks, with how many values each seals. */
export function unknownKeyIds(status: ColumnStatus[], keyring: DataKeyring): Record<string, number> {
  const unknown: Record<string, number> = {};
  for (const s of status) {
    for (const [id, n] of Object.entries(s.byKey)) if (!keyring.has(id)) unknown[id] = (unknown[id] ?? 0) + n;
  }
  return unknown;
}
