import { readFile, stat } from 'node:fs/promises';
import { NamedError } from '@cedar-store/domain/errors';

/** A token file that cannot be used as it stands; the message says how to fix it. */
export class TokenFileError extends NamedError {}

/**
 * Reads a bearer token from a file. A token file anyone else can read is a leaked token: it
 * is refused until its mode is fixed, with the command that fixes it.
 */
export async function readTokenFile(path: string): Promise<string> {
  const facts = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new TokenFileError(`cannot read the token file ${path}: ${error.code ?? error.message}`);
  });
  if ((facts.mode & 0o077) !== 0) {
    throw new TokenFileError(
      `the token file ${path} can be read by other users (mode ${(facts.mode & 0o777).toString(8)}): run chmod 600 ${path}`,
    );
  }
  const token = (await readFile(path, 'utf8')).trim();
  if (token === '') throw new TokenFileError(`the token file ${path} is empty`);
  return token;
}

/** The token from the first source that has one: the environment, the configuration, then a token file. */
export async function resolveToken(sources: {
  env?: string | undefined;
  inline?: string | undefined;
  file?: string | undefined;
}): Promise<string | undefined> {
  return sources.env?.trim() || sources.inline || (sources.file ? await readTokenFile(sources.file) : undefined);
}
