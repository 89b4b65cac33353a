/**
 * Resolves the configured backup user and group to numeric ids from the host's account
 * files, so the store indicator can be owned by them without running any program.
 */
import { readFile } from 'node:fs/promises';
import { InvalidRequestError } from '@cedar-store/domain';

export type Owner = { uid: number; gid: number };

/** Finds `name` in a passwd- or group-format text; returns its numeric id (third field). */
export function idFromAccountFile(text: string, name: string): number | null {
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields[2] !== undefined && /^\d+$/.test(fields[2])) return Number(fields[2]);
  }
  return null;
}

export async function resolveOwner(
  user: string | undefined,
  group: string | undefined,
  files = { passwd: '/etc/passwd', group: '/etc/group' },
): Promise<Owner | null> {
  if (user === undefined && group === undefined) return null;
  const uid = user === undefined ? (process.getuid?.() ?? 0) : await lookup(files.passwd, user, 'backupUser');
  const gid = group === undefined ? (process.getgid?.() ?? 0) : await lookup(files.group, group, 'backupGroup');
  return { uid, gid };
}

async function lookup(file: string, name: string, field: string): Promise<number> {
  if (/^\d+$/.test(name)) return Number(name);
  const id = idFromAccountFile(await readFile(file, 'utf8'), name);
  if (id === null) throw new InvalidRequestError(`${field}: "${name}" does not exist on this host (${file})`);
  return id;
}
