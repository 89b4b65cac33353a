import { describe, expect, it } from 'vitest';
import { buildMediaLabel, checkMediaState } from './label.js';

describe('media label', () => {
  it('writes the day as DD-MON-YYYY with an upper-case English month', () => {
    expect(buildMediaLabel('2005-02-05')).toBe('CEDAR BACKUP 05-FEB-2005');
    expect(buildMediaLabel('2026-12-31')).toBe('CEDAR BACKUP 31-DEC-2026');
  });

  it('fits an ISO 9660 volume id (32 characters)', () => {
    expect(buildMediaLabel('2026-11-26').length).toBeLessThanOrEqual(32);
  });
});

describe('checkMediaState', () => {
  it('refuses a rewritable disc without a label, telling the user to initialize', () => {
    expect(() => checkMediaState({ label: null, rewritable: true })).toThrow(
      expect.objectContaining({
        code: 'MEDIA_NOT_INITIALIZED',
        message: expect.stringMatching(/cedar-store initialize/),
      }),
    );
  });

  it('accepts an unlabelled write-once disc (blank, unused)', () => {
    expect(() => checkMediaState({ label: null, rewritable: false })).not.toThrow();
  });

  it('refuses a foreign label on either kind', () => {
    expect(() => checkMediaState({ label: 'HOLIDAY PHOTOS', rewritable: false })).toThrow(/has not been initialized/);
    expect(() => checkMediaState({ label: 'HOLIDAY PHOTOS', rewritable: true })).toThrow(/has not been initialized/);
  });

  it('accepts any label starting with CEDAR BACKUP', () => {
    expect(() => checkMediaState({ label: 'CEDAR BACKUP 05-FEB-2005', rewritable: true })).not.toThrow();
  });
});
