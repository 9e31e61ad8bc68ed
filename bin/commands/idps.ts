// tessera idps add|update|list|show|delete|enable|disable --tenant T
// Upstream identity providers of a tenant (issue 6), a client of the management operations
// (server/api/admin/resources/idps.ts). For `add` a definition comes from flags, from a JSON file
// (`--file idp.json`, the shape of core/federation/identity-providers.ts IdpDefinition), or both
// (flags win), with `--set JSON` merged last (e.g. provisioning, claimRules, groups); `update`
// changes only what the file, flags and --set give (e.g. `--secret S` alone replaces the secret):
//   idps add --tenant T --alias corp --kind oidc --issuer URL --client-id ID [--secret S] [--scope "openid email"]
//   idps add --tenant T --alias google --preset google --client-id ID --secret S
//   idps add --tenant T --alias shib --kind saml --metadata idp-metadata.xml
// The client secret is never printed back. Changes are audit events.
import { readFile } from 'node:fs/promises';
import type { Db } from '../../core/infra/db.ts';
import type { SocialPreset } from '../../core/federation/federation-types.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { runOperation } from '../admin-operations.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';
import { presetDefaults, SOCIAL_PRESETS } from '../../activities/federation/social-presets.ts';

const PRESET_NAMES: Record<SocialPreset, string> = { google: 'Google', microsoft: 'Microsoft', github: 'GitHub' };

async function jsonFrom(text: string | undefined, what: string): Promise<Record<string, any>> {
  if (text === undefined) return {};
  try {
    const value = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value;
  } catch {
    throw new UsageError(`${what} must be a JSON object`);
  }
}

/** The definition the flags describe, over the file's. */
async function definition(flags: Flags): Promise<Record<string, any>> {
  const base = await jsonFrom(flags.file ? await readFile(flags.file, 'utf8') : undefined, `--file ${flags.file}`);
  const preset = flags.preset as SocialPreset | undefined;
  if (preset && !SOCIAL_PRESETS.includes(preset)) throw new UsageError(`--preset must be one of ${SOCIAL_PRESETS.join(', ')}`);
  const kind = flags.kind ?? base.kind ?? (flags.metadata ? 'saml' : 'oidc');
  const def: Record<string, any> = { ...base, kind, alias: flags.alias ?? base.alias ?? preset };
  def.displayName = flags['display-name'] ?? base.displayName ?? (preset ? PRESET_NAMES[preset] : def.alias);
  if (kind === 'oidc') {
    const given = {
      ...(base.oidc ?? {}),
      ...(flags.issuer ? { issuer: flags.issuer } : {}),
      ...(flags['client-id'] ? { clientId: flags['client-id'] } : {}),
      ...(flags.secret ? { clientSecret: flags.secret } : {}),
      ...(flags.scope ? { scopes: flags.scope.split(/\s+/).filter(Boolean) } : {}),
    };
    def.oidc = preset ? presetDefaults(preset, given) : { scopes: ['openid', 'email', 'profile'], ...given };
  } else if (flags.metadata) {
    def.saml = { ...(base.saml ?? {}), metadata: await readFile(flags.metadata, 'utf8') };
  }
  const extra = await jsonFrom(flags.set, '--set');
  return { ...def, ...extra };
}

/** The patch the flags describe for `update`: only what is given (file, flags, then --set). */
async function patchOf(flags: Flags): Promise<{ alias: string; patch: Record<string, any> }> {
  const { alias: fileAlias, kind: _kind, ...base } = await jsonFrom(flags.file ? await readFile(flags.file, 'utf8') : undefined, `--file ${flags.file}`);
  const preset = flags.preset as SocialPreset | undefined;
  if (preset && !SOCIAL_PRESETS.includes(preset)) throw new UsageError(`--preset must be one of ${SOCIAL_PRESETS.join(', ')}`);
  const alias = flags.alias ?? fileAlias ?? preset;
  if (!alias) throw new UsageError('--alias is required');
  const patch: Record<string, any> = { ...base, ...(flags['display-name'] ? { displayName: flags['display-name'] } : {}) };
  const oidc = {
    ...(base.oidc ?? {}),
    ...(flags.issuer ? { issuer: flags.issuer } : {}),
    ...(flags['client-id'] ? { clientId: flags['client-id'] } : {}),
    ...(flags.secret ? { clientSecret: flags.secret } : {}),
    ...(flags.scope ? { scopes: flags.scope.split(/\s+/).filter(Boolean) } : {}),
  };
  if (preset) patch.oidc = presetDefaults(preset, oidc);
  else if (Object.keys(oidc).length > 0) patch.oidc = oidc;
  if (flags.metadata) patch.saml = { ...(base.saml ?? {}), metadata: await readFile(flags.metadata, 'utf8') };
  return { alias, patch: { ...patch, ...(await jsonFrom(flags.set, '--set')) } };
}

/** The answer as the CLI has always printed it: secret as (set)/(none), SAML metadata as its length. */
function shown(idp: Record<string, any>): Record<string, unknown> {
  const { createdAt: _c, updatedAt: _u, oidc, saml, provisioning, claimRules, groups, ...head } = idp;
  const { clientSecretSet, ...rest } = oidc ?? {};
  return {
    ...head,
    ...(oidc ? { oidc: { ...rest, clientSecret: clientSecretSet ? '(set)' : '(none)' } } : {}),
    ...(saml ? { saml: { ...saml, metadata: `(${saml.metadata.length} characters)` } } : {}),
    provisioning, claimRules, ...(groups ? { groups } : {}),
  };
}

export async function idpsCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  const unknown = (alias: string) => (err: unknown) => {
    if (err instanceof Error && /^no such identity provider/i.test(err.message)) throw new Error(`no identity provider "${alias}" in tenant "${tenant}"`);
    throw err;
  };
  switch (verb) {
    case 'add': {
      const idp = await runOperation(db, 'idps.create', { tenant, body: await definition(flags) });
      printOne(shown(idp), flags.json);
      return;
    }
    case 'update': {
      const { alias, patch } = await patchOf(flags);
      const idp = await runOperation(db, 'idps.update', { tenant, params: { alias }, body: patch }).catch(unknown(alias));
      printOne(shown(idp), flags.json);
      return;
    }
    case 'list': {
      const idps: Record<string, any>[] = [];
      let cursor: string | undefined;
      do {
        const answer = await runOperation(db, 'idps.list', { tenant, query: { limit: '200', ...(cursor ? { cursor } : {}) } });
        idps.push(...answer.items);
        cursor = answer.next ?? undefined;
      } while (cursor);
      printRows(idps.map((i) => ({ alias: i.alias, kind: i.kind, name: i.displayName, enabled: i.enabled, jit: i.provisioning.jit })), flags.json);
      return;
    }
    case 'show': {
      const alias = required(flags, 'alias');
      printOne(shown(await runOperation(db, 'idps.get', { tenant, params: { alias } }).catch(unknown(alias))), flags.json);
      return;
    }
    case 'enable':
    case 'disable': {
      const alias = required(flags, 'alias');
      const idp = await runOperation(db, 'idps.update', { tenant, params: { alias }, body: { enabled: verb === 'enable' } }).catch(unknown(alias));
      printOne({ alias: idp.alias, enabled: idp.enabled }, flags.json);
      return;
    }
    case 'delete': {
      const alias = required(flags, 'alias');
      await runOperation(db, 'idps.delete', { tenant, params: { alias } }).catch(unknown(alias));
      printOne({ alias, status: 'deleted' }, flags.json);
      return;
    }
    default:
      throw new UsageError(`unknown command "idps ${verb}" (add, update, list, show, enable, disable, delete)`);
  }
}
