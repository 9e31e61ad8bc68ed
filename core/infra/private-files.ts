// Local state that only the instance's own user may read: DATA_DIR and the folders under it are
// 0700, secrets in it 0600. Rules:
// - a folder this user owns is tightened to 0700 when found looser (a DATA_DIR made by an older
//   version, or by hand); one owned by someone else is left alone (a mounted volume);
// - a secret file is generated once ('wx': when two processes race, the loser reads the winner's).
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';

/** Creates `dir` (and its parents) as 0700, and tightens it to 0700 when this user owns it. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await stat(dir);
  if ((info.mode & 0o077) !== 0 && info.uid === process.getuid?.()) await chmod(dir, 0o700);
}

/** The secret kept in `file` (mode 0600), made by `generate` the first time. */
export async function readOrCreateSecret(file: string, generate: () => string = () => randomBytes(32).toString('base64url')): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const text = generate();
    try {
      await writeFile(file, text, { mode: 0o600, flag: 'wx' });
      return text;
    } catch {
      return (await readFile(file, 'utf8')).trim();
    }
  }
}
