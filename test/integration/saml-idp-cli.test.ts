// `tessera saml-sps` as separate processes against the shared test database: add from metadata
// with settings, list, delete, the audit events, and refusals of unusable metadata.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SAML } from '@node-saml/node-saml';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { listAudit } from '../../core/infra/audit.ts';
import { getSamlSp } from '../../core/saml/saml-sps.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { testDb, uniqueTenantId } from '../support/harness.ts';
import { killAll, removeDir, runTessera, tempDir, type Env } from '../support/processes.ts';
import { spKeys } from '../support/saml-sps.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

const db = testDb();
let dir: string;
let env: Env;
let tenant: string;
let metadataFile: string;
const ENTITY = 'https://cli-sp.example/metadata';

beforeAll(async () => {
  dir = await tempDir('tessera-saml-cli-');
  env = { DATABASE_URL: inject('databaseUrl'), DATA_DIR: join(dir, 'data') };
  tenant = uniqueTenantId();
  await createTenant(db, tenant);
  const enc = await spKeys(1);
  const sp = new SAML({ callbackUrl: 'https://cli-sp.example/acs', issuer: ENTITY, idpCert: 'unused', decryptionPvk: enc.privateKeyPem, logoutCallbackUrl: 'https://cli-sp.example/slo' });
  metadataFile = join(dir, 'sp.xml');
  await writeFile(metadataFile, sp.generateServiceProviderMetadata(enc.certificatePem, null));
});
afterAll(async () => {
  await killAll();
  await removeDir(dir);
  await db.end();
});

describe('tessera saml-sps', () => {
  it('adds an SP from its metadata with settings, lists it, deletes it; audit events', async () => {
    const add = await runTessera(['saml-sps', 'add', '--tenant', tenant, '--metadata', metadataFile, '--name-id-format', 'persistent',
      '--sign', 'assertion', '--encrypt', '--attribute', 'mail=email', '--attribute', 'memberOf=groups', '--no-idp-initiated', '--json'], env);
    expect(add.code, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ entityId: ENTITY, nameIdFormat: 'persistent', sign: 'assertion', encrypt: true, idpInitiated: false });
    const sp = (await getSamlSp(db, tenant, ENTITY))!;
    expect(sp.settings.attributes).toEqual({ mail: 'email', memberOf: 'groups' });
    expect(sp.acs.map((a) => a.url)).toEqual(['https://cli-sp.example/acs']);
    expect(sp.sloUrl).toBe('https://cli-sp.example/slo');

    const list = await runTessera(['saml-sps', 'list', '--tenant', tenant, '--json'], env);
    expect(JSON.parse(list.stdout).map((r: { entityId: string }) => r.entityId)).toEqual([ENTITY]);

    const del = await runTessera(['saml-sps', 'delete', '--tenant', tenant, '--entity-id', ENTITY], env);
    expect(del.code, del.stderr).toBe(0);
    expect(await getSamlSp(db, tenant, ENTITY)).toBeUndefined();
    const types = (await listAudit(db, tenant, 10)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['saml_sp.added', 'saml_sp.deleted']));
  });

  it('refuses metadata it cannot use, and bad flags, changing nothing', async () => {
    const bad = join(dir, 'bad.xml');
    await writeFile(bad, '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>');
    const res = await runTessera(['saml-sps', 'add', '--tenant', tenant, '--metadata', bad], env);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/DOCTYPE/);
    const flag = await runTessera(['saml-sps', 'add', '--tenant', tenant, '--metadata', metadataFile, '--sign', 'sometimes'], env);
    expect(flag.code).not.toBe(0);
    expect(await getSamlSp(db, tenant, ENTITY)).toBeUndefined();
  });
});
