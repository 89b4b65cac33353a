/**
 * The verify action: read a disc back and compare it with the staging days it should hold,
 * on demand (a store with checkData does the same right after writing). It changes nothing.
 */
import { InvalidRequestError, NoStagingDirectoryError } from '@cedar-store/domain';
import { inject, injectable } from 'inversify';
import { SessionSteps } from '../disc/session-steps.js';
import { DeviceScopes } from '../runs/device-scope.js';
import type { RunContext } from '../runs/run-context.js';
import type { UseCase } from '../runs/use-case.js';

@injectable()
export class VerifyUseCase implements UseCase {
  constructor(
    @inject(DeviceScopes) private readonly scopes: DeviceScopes,
    @inject(SessionSteps) private readonly steps: SessionSteps,
  ) {}

  async execute(ctx: RunContext): Promise<void> {
    const days = ctx.run.options.days;
    if (!days || days.length === 0) {
      throw new InvalidRequestError('verify needs the staging day(s) to compare: pass --day YYYY-MM-DD');
    }
    const { staging, drive, today } = this.scopes.for(ctx);

    await ctx.step('select', async () => {
      const facts = await staging.inspect(days);
      const missing = facts.filter((day) => !day.exists).map((day) => day.day);
      if (missing.length > 0) {
        throw new NoStagingDirectoryError(
          `cannot verify ${missing.join(', ')}: no such staging directory to compare the disc with`,
        );
      }
      await ctx.record({ selection: { today, days, rule: 'requested', crossedMidnight: false } });
    });

    await this.steps.consistencyCheck(ctx, drive, days);
  }
}
