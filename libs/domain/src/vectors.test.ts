// The worked examples in test/data/vectors/rules.json: every case must pass, compared the way
// that folder's README says. A missing file fails the suite.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  buildMediaLabel,
  calculateCapacity,
  CedarStoreError,
  checkMediaState,
  decideNewDisc,
  isStartOfWeek,
  mediaDefinition,
  selectRebuildDays,
  selectStoreDays,
  type MediaType,
  type StagingDayFacts,
  type Weekday,
} from './index.js';

const vectorsPath = fileURLToPath(new URL('../../../test/data/vectors/rules.json', import.meta.url));

type Case<I, E> = { input: I; expected: E };
type Vectors = {
  selectStoreDays: Case<{ today: string; full: boolean; days: StagingDayFacts[] }, { error: string } | object>[];
  selectRebuildDays: (Case<
    { today: string; startingDay: Weekday; days: StagingDayFacts[] },
    { error: string } | { days: string[] }
  > & { isStartOfWeek: boolean })[];
  decideNewDisc: Case<
    {
      rebuildMedia: boolean;
      todayIsStart: boolean;
      blankBehavior: { mode: 'daily' | 'weekly'; factor: number } | null;
      availableBytes: number;
      requiredBytes: number;
    },
    { newDisc: boolean; rule: string; ratio?: number }
  >[];
  calculateCapacity: Case<
    { mediaType: MediaType; usage: { boundaries: [number, number] | null } | { sectorsUsed: number } },
    { bytesUsed: number; bytesAvailable: number; utilizedPercent: number }
  >[];
  buildMediaLabel: Case<string, string>[];
  checkMediaState: Case<{ label: string | null; rewritable: boolean }, { ok: boolean }>[];
};

const vectors = JSON.parse(readFileSync(vectorsPath, 'utf8')) as Vectors;

function errorCodeOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(CedarStoreError);
    return (error as CedarStoreError).code;
  }
}

function expectRelative(actual: number, expected: number, tolerance: number): void {
  if (expected === 0) expect(actual).toBe(0);
  else expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThanOrEqual(tolerance);
}

describe('shared vectors', () => {
  it('has cases for every exported rule', () => {
    for (const key of Object.keys(vectors) as (keyof Vectors)[]) expect(vectors[key].length).toBeGreaterThan(0);
  });

  it.each(vectors.selectStoreDays.map((c, i) => [i, c] as const))('selectStoreDays #%i', (_, c) => {
    if ('error' in c.expected) expect(errorCodeOf(() => selectStoreDays(c.input))).toBe(c.expected.error);
    else expect(selectStoreDays(c.input)).toEqual(c.expected);
  });

  it.each(vectors.selectRebuildDays.map((c, i) => [i, c] as const))('selectRebuildDays #%i', (_, c) => {
    expect(isStartOfWeek(c.input.today, c.input.startingDay)).toBe(c.isStartOfWeek);
    if ('error' in c.expected) expect(errorCodeOf(() => selectRebuildDays(c.input))).toBe(c.expected.error);
    else expect(selectRebuildDays(c.input)).toEqual(c.expected.days);
  });

  it.each(vectors.decideNewDisc.map((c, i) => [i, c] as const))('decideNewDisc #%i', (_, c) => {
    const decision = decideNewDisc(c.input);
    expect(decision.newDisc).toBe(c.expected.newDisc);
    expect(decision.rule).toBe(c.expected.rule);
    if (c.expected.ratio !== undefined) expectRelative(decision.ratio ?? Number.NaN, c.expected.ratio, 1e-9);
  });

  it.each(vectors.calculateCapacity.map((c, i) => [i, c] as const))('calculateCapacity #%i', (_, c) => {
    const capacity = calculateCapacity(mediaDefinition(c.input.mediaType), c.input.usage);
    expect(Math.abs(capacity.bytesUsed - c.expected.bytesUsed)).toBeLessThan(2048);
    expect(Math.abs(capacity.bytesAvailable - c.expected.bytesAvailable)).toBeLessThan(2048);
    expectRelative(capacity.utilizedPercent, c.expected.utilizedPercent, 1e-6);
  });

  it.each(vectors.buildMediaLabel.map((c, i) => [i, c] as const))('buildMediaLabel #%i', (_, c) => {
    expect(buildMediaLabel(c.input)).toBe(c.expected);
  });

  it.each(vectors.checkMediaState.map((c, i) => [i, c] as const))('checkMediaState #%i', (_, c) => {
    const code = errorCodeOf(() => checkMediaState(c.input));
    expect(code).toBe(c.expected.ok ? null : 'MEDIA_NOT_INITIALIZED');
  });
});
