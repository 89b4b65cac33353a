import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, StaticPolicySource } from './device-policy.js';

describe('device policy', () => {
  it('verifies every disc and warns at midnight by default', () => {
    expect(new StaticPolicySource().forDevice('a/b')).toEqual(DEFAULT_POLICY);
    expect(DEFAULT_POLICY).toMatchObject({ checkData: true, warnMidnite: true, startingDay: 'monday' });
  });

  it('layers per-device overrides on the policy defaults', () => {
    const source = new StaticPolicySource({
      timeZone: 'Europe/Paris',
      policy: { checkMedia: true, startingDay: 'sunday', blankBehavior: { mode: 'weekly', factor: 1.3 } },
      devices: { 'burner-1/dvd0': { checkMedia: false } },
    });
    expect(source.timeZone).toBe('Europe/Paris');
    expect(source.forDevice('burner-1/dvd0')).toMatchObject({ checkMedia: false, startingDay: 'sunday' });
    expect(source.forDevice('burner-1/dvd1')).toMatchObject({ checkMedia: true, blankBehavior: { factor: 1.3 } });
  });
});
