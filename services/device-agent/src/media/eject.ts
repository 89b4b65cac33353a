/**
 * Refreshing the media after a write or blank (as Cedar Backup's writers do): open and close the tray so
 * the drive re-reads the table of contents and notices the new session, then unlock the tray,
 * which some systems leave locked. With `noEject` nothing runs.
 */
export type RefreshSettings = { noEject: boolean; ejectDelay: number; refreshMediaDelay: number };

export type RefreshStep = { run: readonly string[] } | { waitSeconds: number };

export function refreshMediaSteps(devicePath: string, settings: RefreshSettings): RefreshStep[] {
  if (settings.noEject) return [];
  const steps: RefreshStep[] = [{ run: [devicePath] }];
  if (settings.ejectDelay > 0) steps.push({ waitSeconds: settings.ejectDelay });
  steps.push({ run: ['-t', devicePath] }, { run: ['-i', 'off', devicePath] });
  if (settings.refreshMediaDelay > 0) steps.push({ waitSeconds: settings.refreshMediaDelay });
  return steps;
}
