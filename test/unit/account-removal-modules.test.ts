// The account console's removing nodes (passkey-remove, idp-unlink) with their database functions
// mocked: only a proven user of an account journey, only what the server named among that user's
// own, never the only way in, audited before the removal, and a retried activity that finds the
// thing gone after its own audit answers `ok` as the first attempt did.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ModuleCallOf, ModuleDeps } from '../../activities/modules/module.ts';
import type { JourneyContext } from '../../core/journeys/journey-context.ts';

vi.mock('../../core/accounts/webauthn-credentials.ts', () => ({ listCredentials: vi.fn(), deleteCredential: vi.fn(async () => true) }));
vi.mock('../../core/accounts/users.ts', () => ({ passwordSetAt: vi.fn() }));
vi.mock('../../core/federation/federated-identities.ts', () => ({ listUserLinks: vi.fn(), unlinkIdentity: vi.fn(async () => true) }));
vi.mock('../../core/infra/audit.ts', () => ({ auditRecorded: vi.fn(async () => false) }));

const { listCredentials, deleteCredential } = await import('../../core/accounts/webauthn-credentials.ts');
const { passwordSetAt } = await import('../../core/accounts/users.ts');
const { listUserLinks, unlinkIdentity } = await import('../../core/federation/federated-identities.ts');
const { auditRecorded } = await import('../../core/infra/audit.ts');
const { passkeyRemoveModule } = await import('../../activities/modules/passkey-remove.ts');
const { idpUnlinkModule } = await import('../../activities/modules/idp-unlink.ts');

const USER_ID = '00000000-0000-4000-8000-000000000003';
const audit = vi.fn(async () => undefined);
const deps = { db: {}, mail: {}, config: {}, now: () => new Date(), audit } as unknown as ModuleDeps;

function call(remove: string, over: Partial<JourneyContext> = {}): ModuleCallOf<Record<string, never>> {
  return {
    ctx: {
      journeyId: 'journey-3', tenant: 'acme', kind: 'account', outcomes: [], nodeState: {}, amr: ['pwd'],
      user: { id: USER_ID, username: 'alice', status: 'active' },
      request: { remove, account: { userId: USER_ID, authTime: 0, amr: ['pwd'] }, stepUp: { userId: USER_ID, amr: [] } }, ...over,
    },
    node: 'change', tree: 'account-x', type: 'x', config: {}, attempt: 1,
  };
}

beforeEach(() => {
  vi.mocked(listCredentials).mockReset().mockResolvedValue([{ id: 'cred-1' }] as never);
  vi.mocked(deleteCredential).mockClear();
  vi.mocked(listUserLinks).mockReset().mockResolvedValue([{ idp: 'corp' }, { idp: 'other' }] as never);
  vi.mocked(unlinkIdentity).mockClear();
  vi.mocked(passwordSetAt).mockReset().mockResolvedValue(undefined);
  vi.mocked(auditRecorded).mockReset().mockResolvedValue(false);
  audit.mockClear();
});

describe('passkey-remove', () => {
  it('removes the named passkey of the proven user, audited first with the journey', async () => {
    expect(await passkeyRemoveModule.prepare(call('cred-1'), deps)).toEqual({ kind: 'outcome', outcome: 'ok' });
    expect(deleteCredential).toHaveBeenCalledWith({}, 'acme', USER_ID, 'cred-1');
    expect(audit).toHaveBeenCalledWith(expect.objectContaining({
      type: 'account.passkey_removed', subject: USER_ID, journeyId: 'journey-3', dedupeKey: 'account.passkey_removed:journey-3:change', data: { credentialId: 'cred-1', node: 'change' },
    }));
    expect(audit.mock.invocationCallOrder[0]).toBeLessThan(vi.mocked(deleteCredential).mock.invocationCallOrder[0]!);
  });

  it('removes nothing for an unproven user, another journey kind, another session\'s user, or nothing named', async () => {
    const refused: [string, Partial<JourneyContext>, string][] = [
      ['cred-1', { amr: [] }, 'not_proven'],
      ['cred-1', { user: undefined }, 'not_proven'],
      ['cred-1', { request: { remove: 'cred-1', account: { userId: 'someone-else', authTime: 0, amr: ['pwd'] } } }, 'not_proven'],
      ['cred-1', { kind: 'login' }, 'no_passkey'],
      ['', {}, 'no_passkey'],
    ];
    for (const [remove, over, code] of refused) {
      expect(await passkeyRemoveModule.prepare(call(remove, over), deps), code).toMatchObject({ kind: 'outcome', outcome: 'none', patch: { error: { code } } });
    }
    expect(deleteCredential).not.toHaveBeenCalled();
    expect(audit).not.toHaveBeenCalled();
  });

  it('answers none for a passkey the user does not have, but ok on a retry after its own removal', async () => {
    expect(await passkeyRemoveModule.prepare(call('cred-of-bob'), deps)).toMatchObject({ outcome: 'none', patch: { error: { code: 'no_passkey' } } });
    vi.mocked(auditRecorded).mockResolvedValue(true);
    expect(await passkeyRemoveModule.prepare(call('cred-of-bob'), deps)).toEqual({ kind: 'outcome', outcome: 'ok' });
    expect(auditRecorded).toHaveBeenCalledWith({}, 'acme', 'account.passkey_removed:journey-3:change');
    expect(deleteCredential).not.toHaveBeenCalled();
    expect(audit).not.toHaveBeenCalled();
  });
});

describe('idp-unlink', () => {
  it('unlinks the named IdP of the proven user, audited', async () => {
    expect(await idpUnlinkModule.prepare(call('corp'), deps)).toEqual({ kind: 'outcome', outcome: 'ok' });
    expect(unlinkIdentity).toHaveBeenCalledWith({}, 'acme', 'corp', USER_ID);
    expect(audit).toHaveBeenCalledWith(expect.objectContaining({ type: 'account.idp_unlinked', data: { idp: 'corp', node: 'change' } }));
  });

  it('refuses the only way in (one link, no password, no passkey), and allows it with a password or a passkey', async () => {
    vi.mocked(listUserLinks).mockResolvedValue([{ idp: 'corp' }] as never);
    vi.mocked(listCredentials).mockResolvedValue([]);
    expect(await idpUnlinkModule.prepare(call('corp'), deps)).toMatchObject({ outcome: 'none', patch: { error: { code: 'last_sign_in_method' } } });
    expect(unlinkIdentity).not.toHaveBeenCalled();
    expect(audit).not.toHaveBeenCalled();

    vi.mocked(passwordSetAt).mockResolvedValue(new Date());
    expect(await idpUnlinkModule.prepare(call('corp'), deps)).toMatchObject({ outcome: 'ok' });
    vi.mocked(passwordSetAt).mockResolvedValue(undefined);
    vi.mocked(listCredentials).mockResolvedValue([{ id: 'cred-1' }] as never);
    expect(await idpUnlinkModule.prepare(call('corp'), deps)).toMatchObject({ outcome: 'ok' });
  });

  it('answers none for an IdP the user has no link with', async () => {
    expect(await idpUnlinkModule.prepare(call('github'), deps)).toMatchObject({ outcome: 'none', patch: { error: { code: 'not_linked' } } });
    expect(unlinkIdentity).not.toHaveBeenCalled();
  });
});
