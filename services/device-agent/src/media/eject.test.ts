import { describe, expect, it } from 'vitest';
import { refreshMediaSteps } from './eject.js';

describe('refreshMediaSteps', () => {
  it('does nothing with noEject, whatever the delays', () => {
    expect(refreshMediaSteps('/dev/sr0', { noEject: true, ejectDelay: 5, refreshMediaDelay: 5 })).toEqual([]);
  });

  it('opens, closes and unlocks the tray with no waits when the delays are 0', () => {
    expect(refreshMediaSteps('/dev/sr0', { noEject: false, ejectDelay: 0, refreshMediaDelay: 0 })).toEqual([
      { run: ['/dev/sr0'] },
      { run: ['-t', '/dev/sr0'] },
      { run: ['-i', 'off', '/dev/sr0'] },
    ]);
  });

  it('waits ejectDelay after opening the tray and refreshMediaDelay at the end', () => {
    expect(refreshMediaSteps('/dev/sr1', { noEject: false, ejectDelay: 3, refreshMediaDelay: 7 })).toEqual([
      { run: ['/dev/sr1'] },
      { waitSeconds: 3 },
      { run: ['-t', '/dev/sr1'] },
      { run: ['-i', 'off', '/dev/sr1'] },
      { waitSeconds: 7 },
    ]);
  });

  it('waits only where a delay is set', () => {
    expect(refreshMediaSteps('/dev/sr0', { noEject: false, ejectDelay: 0, refreshMediaDelay: 2 })).toEqual([
      { run: ['/dev/sr0'] },
      { run: ['-t', '/dev/sr0'] },
      { run: ['-i', 'off', '/dev/sr0'] },
      { waitSeconds: 2 },
    ]);
  });
});
