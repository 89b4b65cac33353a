import { describe, expect, it } from 'vitest';
import { virtualDevice, virtualImageSectors } from './args.js';

describe('virtualImageSectors', () => {
  it('adds the 32 reserved sectors to a new disc and rounds up to 32 sectors', () => {
    expect(virtualImageSectors(333, true)).toBe(384);
    expect(virtualImageSectors(186, true)).toBe(224);
    expect(virtualImageSectors(32, true)).toBe(64);
  });

  it('rounds an appended session up to 32 sectors, without reserved ones', () => {
    expect(virtualImageSectors(192, false)).toBe(192);
    expect(virtualImageSectors(193, false)).toBe(224);
    expect(virtualImageSectors(1, false)).toBe(32);
  });

  it('matches the file xorriso really wrote for the recorded new-disc estimate', () => {
    // print-size-new-disc.txt printed 186s; writing the same day made a 458752-byte image.
    expect(virtualImageSectors(186, true) * 2048).toBe(458752);
  });
});

describe('virtualDevice', () => {
  it('plays an image file as a disc', () => {
    expect(virtualDevice('/srv/iso/disc.iso')).toBe('stdio:/srv/iso/disc.iso');
  });
});
