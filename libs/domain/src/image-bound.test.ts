import { describe, expect, it } from 'vitest';
import {
  boundMarginBytes,
  boundProvesFit,
  fitProvingBound,
  imageSizeUpperBound,
  type TreeShape,
} from './image-bound.js';

const GIB = 2 ** 30;
const DVD = 4.4 * GIB;
const day = (shape: Partial<TreeShape> = {}): TreeShape => ({
  files: 3000,
  directories: 60,
  nameBytes: 40_000,
  dataSectors: 538_000,
  ...shape,
});

describe('the image size upper bound', () => {
  it('is at least the data in whole sectors, and a whole number of sectors', () => {
    const bound = imageSizeUpperBound([day()]);
    expect(bound).toBeGreaterThan(538_000 * 2048);
    expect(bound % 2048).toBe(0);
  });

  it('grows with every file, directory and name byte, and with every day', () => {
    const base = imageSizeUpperBound([day()]);
    expect(imageSizeUpperBound([day({ files: 3001 })])).toBeGreaterThanOrEqual(base);
    expect(imageSizeUpperBound([day({ directories: 61 })])).toBeGreaterThan(base);
    expect(imageSizeUpperBound([day({ nameBytes: 50_000 })])).toBeGreaterThan(base);
    expect(imageSizeUpperBound([day(), day()])).toBeGreaterThan(base);
  });

  it('counts each of many small files and their names, not only their data', () => {
    const small = day({ files: 100_000, directories: 200, nameBytes: 1_400_000, dataSectors: 271_258 });
    // xorriso -print_size of the bench's 100 000-file day: 278 201 sectors.
    expect(imageSizeUpperBound([small]) / 2048).toBeGreaterThan(278_201);
    expect(imageSizeUpperBound([small]) / 2048).toBeLessThan(278_201 * 1.1);
  });
});

describe('when the bound stands for the measurement', () => {
  it('proves the fit far from the limit, with the margin left over', () => {
    expect(boundProvesFit({ boundBytes: GIB, oldTreeBytes: 0, availableBytes: DVD })).toBe(true);
    expect(boundMarginBytes(DVD)).toBeGreaterThan(0.04 * DVD);
  });

  it('does not within the margin of the space left, nor beyond it', () => {
    const margin = boundMarginBytes(DVD);
    expect(boundProvesFit({ boundBytes: DVD - margin, oldTreeBytes: 0, availableBytes: DVD })).toBe(true);
    expect(boundProvesFit({ boundBytes: DVD - margin + 1, oldTreeBytes: 0, availableBytes: DVD })).toBe(false);
    expect(boundProvesFit({ boundBytes: 2 * DVD, oldTreeBytes: 0, availableBytes: DVD })).toBe(false);
    // A small disc keeps a margin of at least 32 MiB.
    expect(boundProvesFit({ boundBytes: 10 * 2 ** 20, oldTreeBytes: 0, availableBytes: 40 * 2 ** 20 })).toBe(false);
  });

  it('counts what an append repeats of the sessions before it', () => {
    const shapes = [day()];
    const alone = fitProvingBound({ shapes, appendsTo: null, availableBytes: DVD });
    expect(alone).toBe(imageSizeUpperBound(shapes));
    expect(fitProvingBound({ shapes, appendsTo: { bytesUsed: GIB }, availableBytes: DVD })).toBe(alone! + GIB);
    expect(fitProvingBound({ shapes, appendsTo: { bytesUsed: 3 * GIB }, availableBytes: 1.3 * GIB })).toBeUndefined();
  });

  it('needs the shape of every day: one unknown means a measurement', () => {
    expect(fitProvingBound({ shapes: [day(), undefined], appendsTo: null, availableBytes: DVD })).toBeUndefined();
    expect(fitProvingBound({ shapes: [], appendsTo: null, availableBytes: DVD })).toBeUndefined();
  });
});
