/**
 * Counts of what a fuzz file sent and what the service refused, printed once at the end of the
 * file so a run's log says how much hostile input was tried (the closing note of issue 7 quotes them).
 */
export class FuzzTally {
  private cases = 0;
  private refused = 0;
  private readonly byAnswer = new Map<string, number>();

  constructor(private readonly name: string) {}

  record(answer: string | number, refused: boolean): void {
    this.cases++;
    if (refused) this.refused++;
    const key = String(answer);
    this.byAnswer.set(key, (this.byAnswer.get(key) ?? 0) + 1);
  }

  summary(): string {
    const answers = [...this.byAnswer.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([answer, count]) => `${answer}×${count}`)
      .join(' ');
    return `fuzz ${this.name}: ${this.cases} cases, ${this.refused} refused (${answers})`;
  }

  print(): void {
    console.log(this.summary());
  }
}
