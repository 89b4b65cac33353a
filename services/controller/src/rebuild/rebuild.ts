/**
 * The rebuild action: after media or hardware trouble, write this week so far — every
 * staged day from the week's starting day up to today, stored or not — to a new disc.
 */
import { decideNewDisc, rebuildWindow, selectRebuildDays } from '@cedar-store/domain';
import { inject, injectable } from 'inversify';
import { SessionSteps } from '../disc/session-steps.js';
import { DeviceScopes } from '../runs/device-scope.js';
import type { RunContext } from '../runs/run-context.js';
import type { UseCase } from '../runs/use-case.js';

@injectable()
export class RebuildUseCase implements UseCase {
  constructor(
    @inject(DeviceScopes) private readonly scopes: DeviceScopes,
    @inject(SessionSteps) private readonly steps: SessionSteps,
  ) {}

  async execute(ctx: RunContext): Promise<void> {
    const { staging, drive, policy, today } = this.scopes.for(ctx);

    const days = await ctx.step('select', async () => {
      const facts = await staging.inspect(rebuildWindow(today, policy.startingDay));
      const selected = selectRebuildDays({ today, startingDay: policy.startingDay, days: facts });
      await ctx.record({ selection: { today, days: selected, rule: 'rebuild', crossedMidnight: false } });
      return selected;
    });

    const status = await this.steps.checkMedia(ctx, drive, policy);

    // Rebuild always starts a new disc: the reference passes true for both inputs.
    const decision = decideNewDisc({ rebuildMedia: true, todayIsStart: true });
    await ctx.step('blankDecision', () => ctx.record({ blanking: { ...decision, todayIsStart: true } }));

    await this.steps.writeDays(ctx, { staging, drive, policy, days, today, decision, status });
  }
}
