import { InvalidRequestError } from '@cedar-store/domain';

/** Drive speed must be a whole multiple of the base speed; a bad value is refused, never rounded. */
export function checkDriveSpeed(driveSpeed: number | undefined): number | undefined {
  if (driveSpeed !== undefined && (!Number.isSafeInteger(driveSpeed) || driveSpeed < 1)) {
    throw new InvalidRequestError(`driveSpeed must be a whole number >= 1, got ${String(driveSpeed)}`);
  }
  return driveSpeed;
}
