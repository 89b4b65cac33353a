/** Help text shared by the program and its commands: environment, exit codes, examples. */
import { DEFAULT_URL } from './environment.js';

export const ENVIRONMENT_HELP = `
Environment:
  CEDAR_STORE_URL         the controller's address (default http://127.0.0.1:7700); --url wins over it
  CEDAR_STORE_TOKEN_FILE  a file holding the controller's API token, readable by its owner only
                          (chmod 600); the way for cron and systemd (LoadCredential=)
  CEDAR_STORE_TOKEN       the controller's API token itself
  NO_COLOR                no colour; TERM=dumb or output that is not a terminal: no live bar either
The token comes from the first of: --token, --token-file, CEDAR_STORE_TOKEN,
CEDAR_STORE_TOKEN_FILE (the command line before the environment). A token on the command
line is visible to other users in ps: prefer a file.`;

export const EXIT_CODES_HELP = `
Exit codes:
  0  the run succeeded (or the query answered)
  1  the run failed, was cancelled or was interrupted (code and message on stderr),
     or the controller refused the request (e.g. DEVICE_BUSY)
  2  usage or configuration error: bad option, impossible date, missing token,
     INVALID_REQUEST or DEVICE_UNKNOWN from the controller
  3  the controller is unreachable, or it refused the token
With --json, an error that is not a finished run is also one JSON line on stdout:
  {"error":{"code":"…","message":"…","advice":"…"}}`;

const WAIT_HELP = `
Waits for the run by default: progress goes to stderr (a bar on a terminal, timestamped
lines otherwise), the summary to stdout, or with --json the final run as one JSON line
and nothing else. Ctrl-C stops waiting, not the run.`;

/**
 * A crontab line that works as printed: cron's PATH is short and it passes no token, so the
 * line names the CLI by its absolute path (`invocation`) and points it at the token's file.
 */
export function cronLine(invocation: string): string {
  return (
    '30 2 * * * CEDAR_STORE_TOKEN_FILE=/etc/cedar-store/api.token ' +
    `${invocation} store --quiet --json >> /var/log/cedar-store.jsonl`
  );
}

export function programHelp(invocation: string): string {
  return `
Action commands (store, rebuild, initialize, verify, restore, audit) queue a run on the controller and wait
for it: a live progress bar on a terminal, timestamped lines on stderr otherwise, then a
summary on stdout (or the final run as one JSON line with --json). Ctrl-C stops waiting,
not the run: follow it again with "cedar-store runs RUN_ID --follow" or stop it with
"cedar-store cancel RUN_ID".
${ENVIRONMENT_HELP}
${EXIT_CODES_HELP}

Examples:
  cedar-store local                                  # a local stack on loopback; prints its token
  export CEDAR_STORE_TOKEN_FILE=$PWD/var/api.token   # the file it keeps the token in
  cedar-store store                                  # write today's staging day and verify it
  cedar-store devices
  cedar-store runs --status failed --limit 5

  # crontab: store every night at 02:30, one JSON line per run in a log; --quiet keeps stderr
  # to warnings and errors, so cron mails only when something needs a look. The token file is
  # the controller's (cedar-store local keeps it in DIR/api.token); add CEDAR_STORE_URL=… when
  # the controller is not at ${DEFAULT_URL}.
  ${cronLine(invocation)}`;
}

/** The text after a client command's options: how it waits (for actions), environment, exit codes, examples. */
export function clientCommandHelp(exampleLines: string[], options: { waits?: boolean } = {}): string {
  return `${options.waits ? `${WAIT_HELP}\n` : ''}${ENVIRONMENT_HELP}\n${EXIT_CODES_HELP}\n${examples(exampleLines)}`;
}

export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  ${line}`).join('\n')}`;
}
