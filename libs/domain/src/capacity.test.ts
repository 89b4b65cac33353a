import { describe, expect, it } from 'vitest';
import { calculateCapacity, capacityWarning, checkFits, newDiscCapacity, utilizedPercent } from './capacity.js';
import { MEDIA_TYPES, mediaDefinition } from './media.js';

describe('media definitions', () => {
  it('knows the reference capacities and lead-ins', () => {
    expect(mediaDefinition('cdr-74')).toMatchObject({ family: 'cd', rewritable: false, capacitySectors: 332_800 });
    expect(mediaDefinition('cdrw-80')).toMatchObject({ rewritable: true, capacitySectors: 358_400 });
    expect(mediaDefinition('cdrw-80')).toMatchObject({ initialLeadInSectors: 11_400, sessionLeadInSectors: 6_900 });
    expect(mediaDefinition('dvd+rw').capacitySectors).toBeCloseTo(2_306_867.2, 6);
    expect(mediaDefinition('bd-re')).toMatchObject({ family: 'bd', rewritable: true, capacitySectors: 12_219_392 });
    expect(mediaDefinition('dvd-r')).toMatchObject({ initialLeadInSectors: 0, sessionLeadInSectors: 0 });
  });

  it('covers eleven types and refuses others', () => {
    expect(MEDIA_TYPES).toHaveLength(11);
    expect(() => mediaDefinition('floppy' as never)).toThrow(/unknown media type "floppy"/);
  });
});

describe('calculateCapacity', () => {
  const cdrw74 = mediaDefinition('cdrw-74');

  it('treats boundaries (0,0) as a blank disc owing the initial lead-in', () => {
    expect(calculateCapacity(cdrw74, { boundaries: [0, 0] })).toEqual({
      bytesUsed: 0,
      bytesAvailable: (332_800 - 11_400) * 2048,
      utilizedPercent: 0,
    });
  });

  it('charges a session lead-in after the upper boundary', () => {
    const capacity = calculateCapacity(cdrw74, { boundaries: [268_582, 302_230] });
    expect(capacity.bytesUsed).toBe(302_230 * 2048);
    expect(capacity.bytesAvailable).toBe((332_800 - 302_230 - 6_900) * 2048);
  });

  it('clamps negative capacity to zero and reports 100% used', () => {
    expect(calculateCapacity(cdrw74, { boundaries: [0, 330_000] })).toMatchObject({
      bytesAvailable: 0,
      utilizedPercent: 100,
    });
    expect(calculateCapacity(mediaDefinition('dvd+r'), { sectorsUsed: 3_000_000 })).toMatchObject({
      bytesAvailable: 0,
      utilizedPercent: 100,
    });
  });

  it('counts DVD sectors used with no lead-in', () => {
    const capacity = calculateCapacity(mediaDefinition('dvd-r'), { sectorsUsed: 1_401_056 });
    expect(capacity.bytesUsed).toBe(1_401_056 * 2048);
    expect(capacity.bytesAvailable).toBe((2_298_496 - 1_401_056) * 2048);
  });

  it('refuses negative or fractional sector counts', () => {
    expect(() => calculateCapacity(cdrw74, { boundaries: [-1, 5] })).toThrow(/boundary 1/);
    expect(() => calculateCapacity(cdrw74, { sectorsUsed: 1.5 })).toThrow(/sectors used/);
  });

  it('offers the whole media for a new disc', () => {
    expect(newDiscCapacity(mediaDefinition('dvd+rw')).bytesAvailable).toBe(Math.floor(4.4 * 2 ** 30));
    expect(newDiscCapacity(cdrw74).bytesAvailable).toBe((332_800 - 11_400) * 2048);
  });
});

describe('utilizedPercent', () => {
  it('is 100 with nothing available, 0 with nothing used, the share otherwise', () => {
    expect(utilizedPercent(0, 0)).toBe(100);
    expect(utilizedPercent(5, 0)).toBe(100);
    expect(utilizedPercent(0, 5)).toBe(0);
    expect(utilizedPercent(1, 3)).toBe(25);
  });
});

describe('checkFits', () => {
  it('accepts an image exactly the size of what is available', () => {
    expect(() => checkFits({ requiredBytes: 1000, availableBytes: 1000 })).not.toThrow();
  });

  it('refuses a larger image with both figures and the advice to rebuild', () => {
    expect(() => checkFits({ requiredBytes: 1001, availableBytes: 1000 })).toThrow(
      expect.objectContaining({
        code: 'MEDIA_FULL',
        message: expect.stringMatching(
          /1001 bytes required.*1000 bytes available.*Nothing was written.*cedar-store rebuild/,
        ),
      }),
    );
  });
});

describe('capacityWarning', () => {
  const capacity = { bytesUsed: 900, bytesAvailable: 100, utilizedPercent: 90 };

  it('is silent without a limit or within it', () => {
    expect(capacityWarning(capacity)).toBeNull();
    expect(capacityWarning(capacity, { maxPercentage: 90 })).toBeNull();
    expect(capacityWarning(capacity, { minBytes: 100 })).toBeNull();
  });

  it('warns above the maximum percentage', () => {
    expect(capacityWarning(capacity, { maxPercentage: 89.5 })).toMatch(/90\.00%, above the limit of 89\.5%/);
  });

  it('warns below the minimum bytes', () => {
    expect(capacityWarning(capacity, { minBytes: 101 })).toMatch(/only 100 bytes left/);
  });
});
