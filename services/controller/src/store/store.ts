/**
 * The store action: write the day that the midnight rule picks to the disc, deciding first
 * whether this is a new disc or another session, and proving afterwards that the disc reads
 * back identical before the day is marked stored.
 *
 * Steps (docs/how-store-decides.md): select days → media check → blank decision → estimate and fit
 * check → write → verify → store indicator → capacity warning → catalog entry.
 */
import {
  blankingNeedsMeasurement,
  decideNewDisc,
  isStartOfWeek,
  selectStoreDays,
  storeCandidateDays,
} from '@cedar-store/domain';
import { inject, injectable } from 'inversify';
import { SessionSteps, mediaBlank } from '../disc/session-steps.js';
import { DeviceScopes } from '../runs/device-scope.js';
import type { RunContext } from '../runs/run-context.js';
import type { UseCase } from '../runs/use-case.js';

@injectable()
export class StoreUseCase implements UseCase {
  constructor(
    @inject(DeviceScopes) private readonly scopes: DeviceScopes,
    @inject(SessionSteps) private readonly steps: SessionSteps,
  ) {}

  async execute(ctx: RunContext): Promise<void> {
    const { staging, drive, policy, today } = this.scopes.for(ctx);
    const full = ctx.run.options.full ?? false;

    const { selection, shapes } = await ctx.step('select', async () => {
      const facts = await staging.inspect(storeCandidateDays(today, full));
      const selected = selectStoreDays({ today, full, days: facts });
      await ctx.record({ selection: { today, ...selected } });
      // The inspect counted each day's tree: the estimate step's bound needs no second walk.
      return { selection: selected, shapes: selected.days.map((day) => facts.find((f) => f.day === day)?.shape) };
    });
    if (selection.crossedMidnight && policy.warnMidnite) {
      await ctx.warn(
        'MIDNIGHT_CROSSED',
        `midnight was crossed: today is ${today} but ${selection.days.join(', ')} (${selection.rule}) ` +
          `${ctx.run.options.dryRun === true ? 'would be' : 'was'} written, ` +
          'because collect or stage ran on the other side of midnight.',
      );
    }

    const status = await this.steps.checkMedia(ctx, drive, policy);

    const { decision, measuredNewDisc } = await ctx.step('blankDecision', async () => {
      const input = {
        rebuildMedia: full,
        todayIsStart: isStartOfWeek(today, policy.startingDay),
        blankBehavior: policy.blankBehavior,
      };
      // Measuring costs a dry run on a real drive: only the factor rule needs it.
      const measured = blankingNeedsMeasurement(input)
        ? await drive.estimate({ days: selection.days, newDisc: true })
        : undefined;
      const requiredBytes = measured?.bytes;
      const availableBytes = requiredBytes === undefined ? undefined : status.bytesAvailable;
      const decided = decideNewDisc({ ...input, availableBytes, requiredBytes });
      await ctx.record({
        blanking: {
          ...decided,
          todayIsStart: input.todayIsStart,
          ...(!decided.newDisc && mediaBlank(status) ? { mediaBlank: true } : {}),
          ...(decided.rule === 'factor' ? { ...factorOf(policy), availableBytes, requiredBytes } : {}),
        },
      });
      return { decision: decided, measuredNewDisc: measured };
    });

    await this.steps.writeDays(ctx, {
      staging,
      drive,
      policy,
      days: selection.days,
      today,
      decision,
      status,
      shapes,
      ...(measuredNewDisc ? { measuredNewDisc } : {}),
    });
  }
}

function factorOf(policy: { blankBehavior?: { mode: 'daily' | 'weekly'; factor: number } }) {
  return policy.blankBehavior ? { factor: policy.blankBehavior.factor, mode: policy.blankBehavior.mode } : {};
}
