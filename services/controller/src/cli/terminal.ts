/**
 * What the CLI may draw on its streams. Colour and cursor movement are for a person at a
 * terminal: a pipe, a log file, cron's mail or a terminal that says it cannot move the cursor
 * (`TERM=dumb`, e.g. an editor's shell) gets plain lines, and `NO_COLOR` (https://no-color.org)
 * turns colour off whatever the stream is.
 */
import type { OutputStream } from './reporters.js';

/** A terminal that understands cursor movement: the only place a live bar is drawn. */
export function isLiveTerminal(stream: OutputStream, variables: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && variables.TERM !== 'dumb';
}

/** Colour (e.g. in help) only on a live terminal, and never with NO_COLOR set to anything. */
export function colourAllowed(stream: OutputStream, variables: NodeJS.ProcessEnv): boolean {
  const noColour = variables.NO_COLOR !== undefined && variables.NO_COLOR !== '';
  return !noColour && isLiveTerminal(stream, variables);
}

/** How a followed run's progress is shown on `stream` (stderr): a bar, timestamped lines, or warnings only. */
export function progressMode(
  stream: OutputStream,
  variables: NodeJS.ProcessEnv,
  quiet: boolean | undefined,
): 'tty' | 'plain' | 'quiet' {
  if (quiet) return 'quiet';
  return isLiveTerminal(stream, variables) ? 'tty' : 'plain';
}
