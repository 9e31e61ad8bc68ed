// tessera saml-sps add --tenant T --metadata sp.xml [--name-id-format email|persistent|transient]
//   [--sign response|assertion|both] [--encrypt] [--attribute samlName=claim]... [--no-idp-initiated]
//   [--require-signed-requests] | list --tenant T | delete --tenant T --entity-id ID
// SAML service providers of the tenant's IdP, registered from their metadata (core/saml/saml-sps.ts).
// `add` replaces an SP with the same entity id. Adding and deleting are audit events.
import { readFile } from 'node:fs/promises';
import { recordAudit } from '../../core/infra/audit.ts';
import type { Db } from '../../core/infra/db.ts';
import { addSamlSp, deleteSamlSp, listSamlSps, SpMetadataError, type SamlSp, type SamlSpSettings } from '../../core/saml/saml-sps.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';

const USAGE = 'usage: tessera saml-sps add --tenant T --metadata sp.xml [--name-id-format email|persistent|transient] '
  + '[--sign response|assertion|both] [--encrypt] [--attribute samlName=claim]... [--no-idp-initiated] [--require-signed-requests]';

const row = (sp: SamlSp) => ({
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
      const xml = await readFile(flags.metadata, 'utf8');
      let sp: SamlSp;
      try {
        sp = await addSamlSp(db, tenant, xml, settings);
      } catch (err) {
        if (err instanceof SpMetadataError) throw new Error(`cannot register the SP: ${err.message}`);
        throw err;
      }
      await recordAudit(db, { tenant, type: 'saml_sp.added', actor: 'cli', data: { entityId: sp.entityId, settings: sp.settings } });
      printOne(row(sp), flags.json);
      return;
    }
    case 'list':
      printRows((await listSamlSps(db, tenant)).map(row), flags.json);
      return;
    case 'delete': {
      const entityId = required(flags, 'entity-id');
      if (!(await deleteSamlSp(db, tenant, entityId))) throw new Error(`no SAML SP "${entityId}" in tenant "${tenant}"`);
      await recordAudit(db, { tenant, type: 'saml_sp.deleted', actor: 'cli', data: { entityId } });
      printOne({ entityId, status: 'deleted' }, flags.json);
      return;
    }
    default:
      throw new UsageError(`unknown command "saml-sps ${verb}" (add, list, delete)`);
  }
}

