/**
 * One line of text per run event for the plain log and the TTY display: the lines come from
 * `@cedar-store/ports/words`, which the dashboard uses too, so all say the same thing.
 */
export {
  eventLine,
  finishedLine,
  progressLine,
  stepLine,
  warningLine,
  type ProgressFigures,
} from '@cedar-store/ports/words';
