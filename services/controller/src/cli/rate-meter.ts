/**
 * Transfer rate over a sliding window: burners speed up and slow down across a disc, so
 * an average since the start would give an ETA that is wrong for most of the run.
 */
export class RateMeter {
  private samples: Array<{ at: number; bytes: number }> = [];

  constructor(private readonly windowMs = 10_000) {}

  add(at: number, bytes: number): void {
    const last = this.samples.at(-1);
    // Fewer bytes than before means a new operation started counting: its rate starts afresh.
    if (last && bytes < last.bytes) this.samples = [];
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && at - this.samples[1]!.at >= this.windowMs) this.samples.shift();
  }

  /**
   * Bytes per second, or undefined until two samples at least a moment apart exist. `final`
   * says the operation has ended: a phase shorter than that moment (a fast verify) still
   * gets its rate from the samples it has.
   */
  rate(final = false): number | undefined {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last) return undefined;
    const span = last.at - first.at;
    if (span < (final ? 1 : 200)) return undefined;
    return ((last.bytes - first.bytes) * 1000) / span;
  }

  /** Milliseconds left to reach `total`, or undefined while the rate is unknown or zero. */
  etaMs(total: number, final = false): number | undefined {
    const rate = this.rate(final);
    const last = this.samples.at(-1);
    if (rate === undefined || rate <= 0 || !last) return undefined;
    return (Math.max(0, total - last.bytes) * 1000) / rate;
  }

  reset(): void {
    this.samples = [];
  }
}
