// Secrets at rest for every process that opens the database (bin/runtime/database.ts):
// - before the database is opened, the process's data keyring is loaded and installed
//   (core/infra/data-keys.ts), so malformed keys stop it with nothing opened;
// - after the migrations, secrets still stored in plaintext (rows from before sealing existed)
//   are sealed: the migration that encrypts existing rows, idempotent and safe to race;
// - a server or worker starting reports values sealed under keys it lacks, naming the key ids
//   (admin commands of the CLI do not: `tessera data-keys status` says it, and fails).
// Notices go to stderr, so that `--json` output of the CLI stays clean.
import type { Config } from '../../core/infra/config.ts';
import type { Db } from '../../core/infra/db.ts';
import type { DataKeyring } from '../../core/infra/data-encryption.ts';
import { installDataKeyring, loadDataKeyring } from '../../core/infra/data-keys.ts';
import { sealPlaintextSecrets, secretsStatus, unknownKeyIds } from '../../core/infra/seal-stored-secrets.ts';

/** @throws Error when the data keys are malformed or unreadable. */
export async function installProcessDataKeys(config: Config): Promise<DataKeyring> {
  const keyring = await loadDataKeyring(config);
  installDataKeyring(keyring);
  return keyring;
}

// These lines go to stderr as plain text, not through the JSON logger: the admin CLI opens the
// database the same way, and its stdout is the command's answer (often JSON to be parsed).
export async function sealSecretsAtStartup(db: Db, keyring: DataKeyring, opts: { warnMissingKeys: boolean }, log = (line: string) => console.error(line)): Promise<void> {
  const reports = await sealPlaintextSecrets(db, keyring);
  const sealed = reports.reduce((n, r) => n + r.sealed, 0);
  if (sealed > 0) log(`Sealed ${sealed} stored secrets that were in plaintext (data key "${keyring.currentKeyId}")`);
  if (!opts.warnMissingKeys) return;
  const unknown = Object.entries(unknownKeyIds(await secretsStatus(db), keyring));
  if (unknown.length > 0) {
    log(`warning: stored secrets are sealed with data keys this process does not have: ${unknown.map(([id, n]) => `"${id}" (${n})`).join(', ')}; `
      + 'add them to TESSERA_DATA_KEYS (or restore the codec keys they were derived from) until `tessera data-keys rotate` has re-sealed them');
  }
}
