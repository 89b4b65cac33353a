import { describe, expect, it } from 'vitest';
import { RateMeter } from './rate-meter.js';

describe('RateMeter', () => {
  it('knows no rate from a single sample', () => {
    const meter = new RateMeter();
    meter.add(0, 0);
    expect(meter.rate()).toBeUndefined();
    expect(meter.etaMs(100)).toBeUndefined();
  });

  it('gives the rate over the recent window and the time left at that rate', () => {
    const meter = new RateMeter(10_000);
    meter.add(0, 0);
    meter.add(20_000, 1000); // slow start: 50 B/s
    meter.add(30_000, 11_000); // then 1000 B/s
    expect(meter.rate()).toBe(1000);
    expect(meter.etaMs(21_000)).toBe(10_000);
  });

  it('starts afresh when the byte count goes back (a new operation)', () => {
    const meter = new RateMeter();
    meter.add(0, 0);
    meter.add(1000, 5000);
    meter.add(2000, 10);
    expect(meter.rate()).toBeUndefined();
  });
});
