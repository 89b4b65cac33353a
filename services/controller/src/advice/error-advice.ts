/**
 * What to do next, by error code: one sentence per code, said the same way wherever a user
 * meets the error (a notification about a failed run, the CLI's `--json` error object).
 */
import type { ErrorCode } from '@cedar-store/domain';

/** The codes a run or the controller's API fails with. */
const RUN_ADVICE: Record<ErrorCode, string> = {
  NO_STAGING_DIRECTORY:
    "Check that the backup host staged the day (its stage action ran and wrote cback.stage) and that the agent's stagingRoot is right, then run the action again.",
  MEDIA_NOT_INITIALIZED: 'Initialize the disc with cedar-store initialize, or use rebuild to start a new disc.',
  MEDIA_NOT_REWRITABLE:
    'The disc cannot be blanked: put in a rewritable disc, or a blank one, and run cedar-store rebuild.',
  MEDIA_FULL: 'The disc has no room for the days: put in a new disc and run cedar-store rebuild.',
  DEVICE_MOUNTED: 'Unmount the disc on the agent host (umount), then run the action again.',
  DEVICE_BUSY: 'Another run or program is using the drive: wait for it to finish, then run the action again.',
  DEVICE_UNKNOWN: "Check the device name against cedar-store devices and the agent's agent.yaml.",
  TOOL_MISSING: 'Install the missing program on the agent host (see the message), then run the action again.',
  WRITE_FAILED:
    'The burner reported an error: check the disc and the drive (try another disc), then run the action again.',
  VERIFY_FAILED:
    'The disc does not read back as staged: do not trust it; put in a new disc and run cedar-store rebuild.',
  WRONG_DISC:
    'Put in the disc the message names (cedar-store find shows which disc holds a day), then run the restore again.',
  AGENT_UNREACHABLE: 'Check that cedar-store-agent runs on the agent host and the network between the hosts.',
  AGENT_LOST:
    'The agent went away during the run: check the agent host, then cedar-store runs to see how the operation ended.',
  INVALID_REQUEST: 'Correct the request as the message says.',
  UNAUTHORIZED: 'Check the tokens in controller.yaml and agent.yaml.',
  INTERNAL: "Look at the controller's log around this run and report the problem with it.",
};

/** The codes of what the CLI finds before or instead of an answer (cli/exit-codes.ts). */
const CLI_ADVICE: Record<string, string> = {
  USAGE: 'Correct the command line as the message says; cedar-store <command> --help shows the options.',
  CONTROLLER_UNREACHABLE:
    'Check that the controller runs (systemctl status cedar-store-controller, or cedar-store local) and that --url or CEDAR_STORE_URL is its address.',
  TOKEN_REFUSED:
    "Give the controller's API token (auth.token or auth.tokenFile of controller.yaml) with --token-file, CEDAR_STORE_TOKEN_FILE, --token or CEDAR_STORE_TOKEN.",
  CLI_FAILED: 'Run the command again; if it fails the same way, report the problem with its message.',
};

/** The advice for a code, or undefined for one nobody has written advice for (e.g. a newer controller's). */
export function adviceFor(code: string): string | undefined {
  if (Object.hasOwn(RUN_ADVICE, code)) return RUN_ADVICE[code as ErrorCode];
  if (Object.hasOwn(CLI_ADVICE, code)) return CLI_ADVICE[code];
  return undefined;
}
