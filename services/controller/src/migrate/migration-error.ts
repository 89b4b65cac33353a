/**
 * A Cedar Backup configuration that cannot be carried over as it stands. The message names
 * the element and its value and says what to do, so the user can fix cback.conf (or the
 * generated files) and run import-config again.
 */
import { NamedError } from '@cedar-store/domain';
export class MigrationError extends NamedError {
  constructor(
    message: string,
    /** The element path, e.g. `store/media_type`, when one element is to blame. */
    readonly element?: string,
  ) {
    super(message);
  }
}
