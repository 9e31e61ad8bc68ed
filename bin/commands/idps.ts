// tessera idps add|update|list|show|delete|enable|disable --tenant T
// Upstream identity providers of a tenant (issue 6). A definition comes from flags, from a JSON
// file (`--file idp.json`, the shape of core/federation/identity-providers.ts IdpDefinition), or both (flags
// win), with `--set JSON` merged last (e.g. provisioning, claimRules, groups):
//   idps add --tenant T --alias corp --kind oidc --issuer URL --client-id ID [--secret S] [--scope "openid email"]
//   idps add --tenant T --alias google --preset google --client-id ID --secret S
//   idps add --tenant T --alias shib --kind saml --metadata idp-metadata.xml
// The client secret is never printed back. Changes are audit events.
import { readFile } from 'node:fs/promises';
import { recordAudit } from '../../core/infra/audit.ts';
import type { Db } from '../../core/infra/db.ts';
import type { SocialPreset } from '../../core/federation/federation-types.ts';
import { deleteIdp, getIdp, IdpInputError, listIdps, publicIdp, saveIdp, setIdpEnabled } from '../../core/federation/identity-providers.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
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

export async function idpsCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  try {
    switch (verb) {
      case 'add':
      case 'update': {
        const idp = await saveIdp(db, tenant, await definition(flags), { replace: verb === 'update' });
        await recordAudit(db, { tenant, type: `idp.${verb === 'add' ? 'added' : 'updated'}`, actor: 'cli', data: { alias: idp.alias, kind: idp.kind } });
        printOne(publicIdp(idp), flags.json);
        return;
      }
      case 'list':
        printRows((await listIdps(db, tenant)).map((i) => ({ alias: i.alias, kind: i.kind, name: i.displayName, enabled: i.enabled, jit: i.provisioning.jit })), flags.json);
        return;
      case 'show': {
        const idp = await getIdp(db, tenant, required(flags, 'alias'));
        if (!idp) throw new Error(`no identity provider "${flags.alias}" in tenant "${tenant}"`);
        printOne(publicIdp(idp), flags.json);
        return;
      }
      case 'enable':
      case 'disable': {
        const alias = required(flags, 'alias');
        if (!(await setIdpEnabled(db, tenant, alias, verb === 'enable'))) throw new Error(`no identity provider "${alias}" in tenant "${tenant}"`);
        await recordAudit(db, { tenant, type: `idp.${verb}d`, actor: 'cli', data: { alias } });
        printOne({ alias, enabled: verb === 'enable' }, flags.json);
        return;
      }
      case 'delete': {
        const alias = required(flags, 'alias');
        if (!(await deleteIdp(db, tenant, alias))) throw new Error(`no identity provider "${alias}" in tenant "${tenant}"`);
        await recordAudit(db, { tenant, type: 'idp.deleted', actor: 'cli', data: { alias } });
        printOne({ alias, status: 'deleted' }, flags.json);
        return;
      }
      default:
        throw new UsageError(`unknown command "idps ${verb}" (add, update, list, show, enable, disable, delete)`);
    }
  } catch (err) {
    if (err instanceof IdpInputError) throw new UsageError(err.message);
    throw err;
  }
}
