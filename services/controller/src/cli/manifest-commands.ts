/**
 * `manifest` and `find` (docs/manifest-and-find.md): the files of a disc in `sha256sum` format,
 * and which disc holds a file. Both follow the API's pages, printing each as it comes, so a
 * disc of a million files never sits in the CLI's memory either.
 */
import type { Command } from 'commander';
import type { ApiClient } from './api-client.js';
import { parseDay } from './arguments.js';
import type { CommandContext } from './command-context.js';
import { printJson, printNote, printResult } from './command-context.js';
import { connect } from './environment.js';
import { EXIT, UnreachableError, UsageError } from './exit-codes.js';
import { clientCommandHelp } from './help.js';

type Disc = { id: number; label: string; device: string; supersededAt?: string };
type Session = { position: number; label: string; runId: string; verified?: boolean };
type ManifestFile = { day: string; path: string; size: number; sha256: string };
type ManifestAnswer = { disc: Disc; days: { day: string }[]; files: ManifestFile[]; nextCursor: string | null };
type FoundFile = ManifestFile & { disc: Disc; session: Session };
type FilesAnswer = { files: FoundFile[]; nextCursor: string | null };

/** Files asked for per request: the API's largest page. */
const PAGE = 1000;

export function registerManifestCommands(program: Command, ctx: CommandContext): void {
  program
    .command('manifest')
    .summary("print a disc's files with their SHA-256, as sha256sum does")
    .description(
      'Prints every file of a disc (or of one day on it) in sha256sum format, with paths as on the disc, ' +
        'so a mounted disc can be checked with plain `sha256sum -c` from its top directory. ' +
        'Discs written before manifests were recorded have none and say so (exit status 1).',
    )
    .requiredOption('--disc <id|label>', 'the disc: its number (as find shows it) or its label')
    .option('--day <YYYY-MM-DD>', 'only this day of the disc', parseDay)
    .option('--json', 'print one JSON record per file (day, path, size, sha256) instead')
    .addHelpText(
      'after',
      clientCommandHelp([
        'cedar-store manifest --disc 3 > disc3.sha256',
        'cd /mnt/cdrom && sha256sum -c ~/disc3.sha256',
        'cedar-store manifest --disc 3 --day 2026-11-25 --json',
      ]),
    )
    .action(async (flags: { disc: string; day?: string; json?: boolean }, command: Command) => {
      const disc = flags.disc.trim();
      if (disc === '' || disc.length > 64)
        throw new UsageError('--disc takes a disc number or label (1-64 characters)');
      const client = await connect(command, ctx.env);
      let cursor: string | undefined;
      let first = true;
      do {
        const answer = asManifest(
          await client.getJson(`api/v1/discs/${encodeURIComponent(disc)}/manifest`, {
            day: flags.day,
            limit: PAGE,
            cursor,
          }),
          client,
        );
        if (first && answer.days.length === 0) {
          const what = flags.day ? `day ${flags.day} of disc` : 'disc';
          printNote(
            ctx,
            `${what} ${answer.disc.id} (${answer.disc.label}) has no manifest: it was written before cedar-store ` +
              'recorded manifests, its verify did not pass, or recording it failed (see the run that wrote it).',
          );
          ctx.exit(EXIT.runFailed);
          return;
        }
        first = false;
        for (const file of answer.files) {
          if (flags.json) printJson(ctx, file);
          else printResult(ctx, `${file.sha256}  ${sha256sumPath(file.path)}`);
        }
        cursor = answer.nextCursor ?? undefined;
      } while (cursor !== undefined);
      ctx.exit(EXIT.ok);
    });

  program
    .command('find')
    .summary('find which disc holds a file')
    .description(
      'Searches the manifests of every disc for files whose path within its day matches GLOB, newest day first. ' +
        '* matches within a name, ** any directories, ? one character, [a-z] a class, \\ escapes the next character; ' +
        'a GLOB without "/" matches a file name in any directory. Quote it so the shell leaves it alone.',
    )
    .argument('<GLOB>', 'e.g. "**/report.txt", "docs/*.pdf" or "etc.tar.gz"')
    .option('--day <YYYY-MM-DD>', 'only files of this day', parseDay)
    .option('--since <YYYY-MM-DD>', 'only files of this day and later', parseDay)
    .option('--limit <n>', `at most this many files (default ${PAGE})`, parseCount)
    .option('--json', 'print one JSON record per file instead of a table')
    .addHelpText(
      'after',
      clientCommandHelp([
        "cedar-store find 'report.txt'",
        "cedar-store find 'docs/**/*.pdf' --since 2026-11-01",
        "cedar-store find '*.tar.gz' --day 2026-11-25 --json",
      ]),
    )
    .action(
      async (
        glob: string,
        flags: { day?: string; since?: string; limit?: number; json?: boolean },
        command: Command,
      ) => {
        if (flags.day && flags.since) throw new UsageError('--day and --since both narrow the days: give one of them');
        const client = await connect(command, ctx.env);
        const wanted = flags.limit ?? PAGE;
        // The table needs every row for its widths; --json prints each page as it comes.
        const table: FoundFile[] = [];
        let count = 0;
        let cursor: string | undefined;
        do {
          const answer = asFiles(
            await client.getJson('api/v1/files', {
              glob,
              day: flags.day,
              since: flags.since,
              limit: Math.min(PAGE, wanted - count),
              cursor,
            }),
            client,
          );
          for (const file of answer.files) {
            if (flags.json) printJson(ctx, file);
            else table.push(file);
          }
          count += answer.files.length;
          cursor = answer.nextCursor ?? undefined;
        } while (cursor !== undefined && count < wanted);
        if (count === 0) printNote(ctx, `no file matches "${glob}" in any manifest`);
        else if (!flags.json) printResult(ctx, await formatFound(table));
        if (cursor !== undefined) printNote(ctx, `more files match: showing the first ${count} (--limit N for more)`);
        // As grep: 1 when nothing matched, so a script can tell.
        ctx.exit(count === 0 ? EXIT.runFailed : EXIT.ok);
      },
    );
}

/** sha256sum escapes a name holding a backslash or newline, and marks the line with a leading backslash. */
function sha256sumPath(path: string): string {
  if (!/[\\\n\r]/.test(path)) return path;
  return `\\${path.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\r', '\\r')}`;
}

/** The table's modules load when a table is printed, not with the program. */
async function formatFound(files: FoundFile[]): Promise<string> {
  const [{ renderTable }, { formatBytes }] = await Promise.all([import('./table.js'), import('./format.js')]);
  return renderTable(
    [
      { header: 'DAY' },
      { header: 'PATH ON DISC' },
      { header: 'SIZE', align: 'right' },
      { header: 'DISC', align: 'right' },
      { header: 'LABEL' },
      { header: 'SESSION', align: 'right' },
      { header: 'STATE' },
    ],
    files.map((file) => [
      file.day,
      file.path,
      formatBytes(file.size),
      String(file.disc.id),
      file.disc.label,
      String(file.session.position),
      stateOf(file),
    ]),
  );
}

function stateOf(file: FoundFile): string {
  if (file.disc.supersededAt) return 'superseded (disc blanked)';
  if (file.session.verified === true) return 'verified';
  if (file.session.verified === false) return 'verify failed';
  return 'not read back';
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000) {
    throw new UsageError(`--limit must be a whole number from 1 to 1000000, not "${value}"`);
  }
  return count;
}

function asManifest(value: unknown, client: ApiClient): ManifestAnswer {
  const answer = value as Partial<ManifestAnswer> | null;
  if (answer && typeof answer.disc === 'object' && Array.isArray(answer.days) && Array.isArray(answer.files)) {
    return answer as ManifestAnswer;
  }
  throw notAnswer(client, 'a manifest page');
}

function asFiles(value: unknown, client: ApiClient): FilesAnswer {
  const answer = value as Partial<FilesAnswer> | null;
  if (answer && Array.isArray(answer.files)) return answer as FilesAnswer;
  throw notAnswer(client, 'a page of files');
}

function notAnswer(client: ApiClient, what: string): UnreachableError {
  return new UnreachableError(
    `the server at ${client.displayUrl} did not answer with ${what}: check --url or CEDAR_STORE_URL`,
  );
}
