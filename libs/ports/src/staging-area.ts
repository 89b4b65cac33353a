import type { DayStamp } from '@cedar-store/domain';
import type { StagingDayInfo } from './wire/methods.js';

/** The staging root of one burner host: one directory per day, with its indicators. */
export interface StagingArea {
  /** Facts about each day asked for, in the order asked; missing days have `exists: false`. */
  inspect(days: DayStamp[]): Promise<StagingDayInfo[]>;
  /** Writes the store indicator into each day; only after a successful write and verify. */
  markStored(days: DayStamp[]): Promise<DayStamp[]>;
}
