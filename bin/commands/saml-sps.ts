// tessera saml-sps add --tenant T --metadata sp.xml [--name-id-format email|persistent|transient]
//   [--sign response|assertion|both] [--encrypt] [--attribute samlName=claim]... [--no-idp-initiated]
//   [--require-signed-requests] | list --tenant T | delete --tenant T --entity-id ID
// SAML service providers of the tenant's IdP, registered from their metadata (a file, or an
// http(s) URL the server fetches), a client of the management operations
// (server/api/admin/resources/saml-sps.ts). `add` replaces an SP with the same entity id. Adding
// and deleting are audit events.
import { readFile } from 'node:fs/promises';
import type { Db } from '../../core/infra/db.ts';
import type { SamlSp, SamlSpSettings } from '../../core/saml/saml-sps.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { runOperation } from '../admin-operations.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';

const USAGE = 'usage: tessera saml-sps add --tenant T --metadata sp.xml [--name-id-format email|persistent|transient] '
  + '[--sign response|assertion|both] [--encrypt] [--attribute samlName=claim]... [--no-idp-initiated] [--require-signed-requests]';

/** An SP as the management API answers it. */
type SpJson = Pick<SamlSp, 'entityId' | 'acs' | 'sloUrl' | 'authnRequestsSigned' | 'settings'>;

const row = (sp: SpJson) => ({
  entityId: sp.entityId, nameIdFormat: sp.settings.nameIdFormat,
  sign: sp.settings.signResponse && sp.settings.signAssertion ? 'both' : sp.settings.signResponse ? 'response' : sp.settings.signAssertion ? 'assertion' : 'none',
  encrypt: sp.settings.encryptAssertion, signedRequests: sp.authnRequestsSigned || sp.settings.requireSignedRequests,
  idpInitiated: sp.settings.idpInitiated, acs: sp.acs.map((a) => a.url).join(' '), slo: sp.sloUrl,
});

function settingsOf(flags: Flags): Partial<SamlSpSettings> {
  const settings: Partial<SamlSpSettings> = {};
  const format = flags['name-id-format'];
  if (format !== undefined) {
    if (format !== 'email' && format !== 'persistent' && format !== 'transient') throw new UsageError(USAGE);
    settings.nameIdFormat = format;
  }
  const sign = flags.sign;
  if (sign !== undefined) {
    if (sign !== 'response' && sign !== 'assertion' && sign !== 'both') throw new UsageError(USAGE);
    settings.signResponse = sign !== 'assertion';
    settings.signAssertion = sign !== 'response';
  }
  if (flags.encrypt) settings.encryptAssertion = true;
  if (flags['no-idp-initiated']) settings.idpInitiated = false;
  if (flags['require-signed-requests']) settings.requireSignedRequests = true;
  if (flags.attribute?.length) {
    settings.attributes = {};
    for (const pair of flags.attribute) {
      const eq = pair.indexOf('=');
      if (eq < 1 || eq === pair.length - 1) throw new UsageError(`--attribute wants samlName=claim, got "${pair}"`);
      settings.attributes[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return settings;
}

export async function samlSpsCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  switch (verb) {
    case 'add': {
      if (!flags.metadata) throw new UsageError(USAGE);
      const settings = settingsOf(flags);
      const source = /^https?:\/\//i.test(flags.metadata) ? { metadataUrl: flags.metadata } : { metadataXml: await readFile(flags.metadata, 'utf8') };
      try {
        const sp = await runOperation(db, 'saml-sps.create', { tenant, body: { ...source, settings, replace: true } });
        printOne(row(sp), flags.json);
      } catch (err) {
        if (err instanceof UsageError) throw new UsageError(`cannot register the SP: ${err.message}`);
        throw err;
      }
      return;
    }
    case 'list': {
      const sps: SpJson[] = [];
      let cursor: string | undefined;
      do {
        const answer = await runOperation(db, 'saml-sps.list', { tenant, query: { limit: '200', ...(cursor ? { cursor } : {}) } });
        sps.push(...answer.items);
        cursor = answer.next ?? undefined;
      } while (cursor);
      printRows(sps.map(row), flags.json);
      return;
    }
    case 'delete': {
      const entityId = required(flags, 'entity-id');
      await runOperation(db, 'saml-sps.delete', { tenant, params: { id: entityId } }).catch((err: Error) => {
        throw err.message.startsWith('No such') ? new Error(`no SAML SP "${entityId}" in tenant "${tenant}"`) : err;
      });
      printOne({ entityId, status: 'deleted' }, flags.json);
      return;
    }
    default:
      throw new UsageError(`unknown command "saml-sps ${verb}" (add, list, delete)`);
  }
}
