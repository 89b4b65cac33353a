/**
 * The initialize action: prepare a rewritable disc for a rotation, so that the media check
 * later recognises it. The disc gets one empty `CedarBackup` directory and our label.
 * Write-once media are refused: initializing one would waste it.
 */
import { buildMediaLabel, decideNewDisc, MediaNotRewritableError } from '@cedar-store/domain';
import { inject, injectable } from 'inversify';
import { assertWritable, SessionSteps } from '../disc/session-steps.js';
import { DeviceScopes } from '../runs/device-scope.js';
import type { RunContext } from '../runs/run-context.js';
import type { UseCase } from '../runs/use-case.js';

@injectable()
export class InitializeUseCase implements UseCase {
  constructor(
    @inject(DeviceScopes) private readonly scopes: DeviceScopes,
    @inject(SessionSteps) private readonly steps: SessionSteps,
  ) {}

  async execute(ctx: RunContext): Promise<void> {
    const { drive, today } = this.scopes.for(ctx);
    const label = buildMediaLabel(today);

    const status = await ctx.step('checkMedia', async () => {
      const status = await drive.status();
      assertWritable(ctx.device, status);
      if (!status.rewritable) {
        throw new MediaNotRewritableError(
          `initialize works on rewritable media only: ${ctx.device} holds a ${status.mediaType} disc, ` +
            'which is write-once. Write-once discs need no initializing: store accepts them blank.',
        );
      }
      return status;
    });

    const decision = decideNewDisc({ rebuildMedia: true, todayIsStart: true });
    await ctx.step('blankDecision', () => ctx.record({ blanking: { ...decision, todayIsStart: true } }));
    await ctx.record({ image: { label } });
    await ctx.step('initialize', () => {
      ctx.commit();
      return drive.initialize(label);
    });
    await this.steps.recordSession(ctx, { days: [], label, decision, status, bytes: 0 });
  }
}
