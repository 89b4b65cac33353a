/**
 * The restore action (docs/restoring.md): find in the catalog the disc and session holding the
 * day, have the device's agent check that the drive holds that disc and restore the day into
 * `<restoreRoot>/<target>`, then check every restored file against the catalog's manifest.
 * A mismatch fails the run naming the files and leaves what was restored in place; a day
 * without a manifest (a disc older than manifests) is restored with a warning that nothing
 * could be checked.
 */
import { InvalidRequestError, parseGlob, VerifyFailedError } from '@cedar-store/domain';
import {
  TOKENS,
  type DeviceDirectory,
  type ManifestCatalog,
  type MediaCatalog,
  type RestoreResult,
  type RestoreSummary,
} from '@cedar-store/ports';
import { inject, injectable, optional } from 'inversify';
import { DeviceScopes } from '../runs/device-scope.js';
import type { RunContext } from '../runs/run-context.js';
import type { UseCase } from '../runs/use-case.js';
import { checkRestored, type RestoreCheck } from './check-restored.js';
import { dayOnDisc, noDiscMessage, type DayOnDisc } from './day-on-disc.js';
import { manifestOfDay, restoredFiles, withinDay } from './manifest-pages.js';
import { mismatchMessage, nothingMatched, refusedWarning, unlistedWarning } from './restore-wording.js';

@injectable()
export class RestoreUseCase implements UseCase {
  constructor(
    @inject(DeviceScopes) private readonly scopes: DeviceScopes,
    @inject(TOKENS.MediaCatalog) private readonly catalog: MediaCatalog,
    @inject(TOKENS.DeviceDirectory) private readonly devices: DeviceDirectory,
    @inject(TOKENS.ManifestCatalog) @optional() private readonly manifests?: ManifestCatalog,
  ) {}

  async execute(ctx: RunContext): Promise<void> {
    const { day, target, paths, force } = ctx.run.options;
    if (!day || !target) throw new InvalidRequestError('restore needs the day and the target: --day D --to NAME');
    const globs = paths?.map((glob) => parseGlob(glob));
    const { drive } = this.scopes.for(ctx);

    const source = await ctx.step('select', async () => {
      const discs = await this.catalog.list();
      const found = dayOnDisc(discs, day, ctx.device);
      if (!found) throw new InvalidRequestError(noDiscMessage(discs, day));
      return { ...found, discId: (await this.manifests?.discSessionOfRun(found.runId))?.disc.id };
    });

    const opId = `${ctx.run.id}:restore`;
    const result = await ctx.step('restore', () =>
      drive.restore(
        {
          day,
          disc: {
            label: source.labelNow,
            session: source.position,
            ...(source.discId === undefined ? {} : { id: source.discId }),
          },
          target,
          ...(force ? { force: true } : {}),
          ...(paths ? { paths } : {}),
        },
        ctx.onProgress,
      ),
    );
    const summary = this.summary(day, source, result);
    await ctx.record({ restore: summary });
    if (result.refusedCount > 0) await ctx.warn('RESTORE_REFUSED', refusedWarning(result));
    if (paths && result.files + result.symlinks === 0) await ctx.warn('NOTHING_MATCHED', nothingMatched(day, paths));

    const agent = this.devices.manifests?.(ctx.device);
    const hasManifest =
      this.manifests !== undefined &&
      source.discId !== undefined &&
      (await this.manifests.manifestDays(source.discId, day)).some(
        (entry) => entry.session.position === source.position,
      );
    if (!hasManifest || !agent || !this.manifests || source.discId === undefined) {
      await ctx.skip('verify', 'the catalog holds no manifest of the day: nothing could be checked');
      await ctx.warn(
        'NOT_CHECKED',
        `the catalog holds no manifest of ${day} (the disc was written before manifests were recorded), so nothing ` +
          `could be checked: ${result.files} file(s) were restored into ${result.target} as the disc holds them`,
      );
      return;
    }
    const manifests = this.manifests;
    const discId = source.discId;
    const check = await ctx.step('verify', async () => {
      const outcome = await checkRestored(
        restoredFiles(agent, opId),
        manifestOfDay(manifests, discId, day, source.position),
        globs ? (file) => globs.some((glob) => glob.regex.test(withinDay(file))) : undefined,
      );
      await ctx.record({ restore: withCheck(summary, outcome) });
      if (outcome.mismatchCount > 0) throw new VerifyFailedError(mismatchMessage(day, result.target, outcome));
      return outcome;
    });
    if (check.unlistedCount > 0) await ctx.warn('RESTORE_UNLISTED', unlistedWarning(check));
  }

  private summary(
    day: RestoreSummary['day'],
    source: DayOnDisc & { discId?: number | undefined },
    result: RestoreResult,
  ) {
    const summary: RestoreSummary = {
      day,
      disc: {
        ...(source.discId === undefined ? {} : { id: source.discId }),
        label: source.disc.label,
        session: source.position,
      },
      target: result.target,
      files: result.files,
      bytes: result.bytes,
      symlinks: result.symlinks,
      refused: result.refusedCount,
      manifest: false,
      checked: 0,
      mismatches: [],
      mismatchCount: 0,
      unlisted: 0,
    };
    return summary;
  }
}

function withCheck(summary: RestoreSummary, check: RestoreCheck): RestoreSummary {
  return {
    ...summary,
    manifest: true,
    checked: check.checked,
    mismatches: check.mismatches,
    mismatchCount: check.mismatchCount,
    unlisted: check.unlistedCount,
  };
}
