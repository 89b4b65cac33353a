/**
 * The steps store and rebuild share once the days and the blank decision are known:
 * estimate and fit check, write, consistency check, store indicator, capacity warning and
 * catalog entry, in that order. The order is the safety: nothing is written before the fit
 * check passes, and the store indicator is written only after a write that verified. A dry
 * run (`options.dryRun`) stops right after the fit check.
 */
import {
  assertCanStartNewDisc,
  assertMediaPresent,
  availableForImage,
  buildMediaLabel,
  capacityWarning,
  CedarStoreError,
  checkFits,
  checkMediaState,
  DeviceMountedError,
  fitProvingBound,
  InternalError,
  mediaDefinition,
  utilizedPercent,
  VerifyFailedError,
  WriteFailedError,
  type DayStamp,
  type NewDiscDecision,
  type TreeShape,
  errorMessage,
} from '@cedar-store/domain';
import {
  TOKENS,
  type DeviceDirectory,
  type DevicePolicy,
  type ImageEstimate,
  type ManifestCatalog,
  type MediaCatalog,
  type MediaDrive,
  type MediaStatus,
  type StagingArea,
  type VerifyReport,
} from '@cedar-store/ports';
import { mismatchTotal } from '@cedar-store/ports/words';
import { inject, injectable, optional } from 'inversify';
import type { RunContext } from '../runs/run-context.js';
import { importManifest, StagingManifest } from '../sessions/manifest-recorder.js';
import { differencesFound, readBackIdentical, recordSession } from '../sessions/written-session.js';

export type WritePlan = {
  staging: StagingArea;
  drive: MediaDrive;
  policy: DevicePolicy;
  days: DayStamp[];
  today: DayStamp;
  decision: NewDiscDecision;
  /** Media status read before the blank decision. */
  status: MediaStatus;
  /** The new-disc image's estimate, when the blank decision already measured it. */
  measuredNewDisc?: ImageEstimate;
  /** Each day's tree from the staging inspect, in `days` order: the image bound (fitProvingBound). */
  shapes?: (TreeShape | undefined)[];
};

@injectable()
export class SessionSteps {
  constructor(
    @inject(TOKENS.MediaCatalog) private readonly catalog: MediaCatalog,
    /** Both present (a controller with SQLite and remote agents): each written day gets its manifest. */
    @inject(TOKENS.DeviceDirectory) @optional() private readonly devices?: DeviceDirectory,
    @inject(TOKENS.ManifestCatalog) @optional() private readonly manifests?: ManifestCatalog,
  ) {}

  /** Reads the media; refuses a missing disc, a mounted device, and (when on) uninitialized media. */
  async checkMedia(ctx: RunContext, drive: MediaDrive, policy: DevicePolicy): Promise<MediaStatus> {
    return ctx.step('checkMedia', async () => {
      const status = await drive.status();
      assertWritable(ctx.device, status);
      if (policy.checkMedia) checkMediaState({ label: status.label, rewritable: status.rewritable });
      // The capacity and the blank decision below follow from it: the run says why.
      if (status.treatedAsEmpty) await ctx.warn('MEDIA_TREATED_AS_EMPTY', status.treatedAsEmpty);
      return status;
    });
  }

  async writeDays(ctx: RunContext, plan: WritePlan): Promise<void> {
    const { drive, days, decision, status } = plan;
    const label = buildMediaLabel(plan.today);

    // The fit check's one measurement: it travels with the write, which checks it again under
    // the device lock on the media as it is then (docs/decisions/0009).
    const estimate = await ctx.step('estimate', async () => {
      if (decision.newDisc) assertCanStartNewDisc({ device: ctx.device, ...status });
      const availableBytes = availableForImage(mediaDefinition(status.mediaType), {
        newDisc: decision.newDisc,
        bytesAvailable: status.bytesAvailable,
      });
      const reuse = decision.newDisc && plan.measuredNewDisc !== undefined;
      // Far from the limit, the bound from the staging inspect's counts stands for the measurement.
      const upperBound =
        reuse || plan.shapes === undefined
          ? undefined
          : fitProvingBound({
              shapes: plan.shapes,
              appendsTo: decision.newDisc || mediaBlank(status) ? null : status,
              availableBytes,
            });
      const measured = reuse
        ? plan.measuredNewDisc!
        : await drive.estimate({ days, newDisc: decision.newDisc, ...(upperBound ? { upperBound } : {}) });
      const estimatedBytes = measured.bytes;
      const kind = upperBound !== undefined ? { estimate: 'bound' as const } : {};
      await ctx.record({ image: { label, estimatedBytes, availableBytes, ...kind } });
      checkFits({ requiredBytes: estimatedBytes, availableBytes });
      return measured;
    });

    // The plan is complete: a dry run blanks, writes and marks nothing.
    if (ctx.run.options.dryRun === true) return ctx.skip('write', DRY_RUN_STOP);

    let stagingManifest: StagingManifest | undefined;
    try {
      await ctx.step('write', async () => {
        ctx.commit();
        // Without read-back the manifest is the staging days hashed: the agent reads them beside
        // the write rather than after it, so the run is not one more pass over the day longer,
        // and the controller fetches it as soon as the hash ends, while the write still runs.
        if (!plan.policy.checkData) {
          stagingManifest = this.startStagingManifest(ctx, days);
        }
        const started = performance.now();
        try {
          const result = await drive.write({ days, label, newDisc: decision.newDisc, estimate }, ctx.onProgress);
          const durationMs = Math.round(performance.now() - started);
          await ctx.record({ write: { ...result, durationMs } });
          return result;
        } catch (error) {
          if (error instanceof CedarStoreError) throw error;
          throw new WriteFailedError(`writing the disc failed: ${String(error)}. No store indicator was written.`);
        }
      });

      const session = (): CatalogEntry => ({
        days,
        label,
        decision,
        status,
        bytes: ctx.run.write?.bytesWritten ?? 0,
        ...verifiedFlag(ctx.run.verify),
      });
      // The verify that passed recorded the manifest on the agent under its operation id.
      let verifyOpId: string | undefined;
      try {
        if (plan.policy.checkData) {
          await this.consistencyCheck(ctx, drive, days, { manifest: this.recordsManifests() });
          verifyOpId = ctx.run.operation?.method === 'media.verify' ? ctx.run.operation.opId : undefined;
        } else await ctx.skip('verify', 'checkData is off: the disc was not read back');

        await ctx.step('storeIndicator', async () => {
          const marked = await plan.staging.markStored(days);
          const unmarked = days.filter((day) => !marked.includes(day));
          if (unmarked.length > 0) {
            throw new InternalError(
              `the disc was written, but the store indicator was not written for ${unmarked.join(', ')}: ` +
                'those days still wait in staging. Check the staging area is writable, then run cedar-store store again today.',
            );
          }
        });
      } catch (error) {
        // The session is on the disc whatever came after the write: the catalog must say so, or
        // a new disc started here would be missing from it and the next append would be filed
        // under the disc this one replaced. The run's failure says the session is not trusted.
        await this.recordSession(ctx, session());
        throw error;
      }
      await this.checkCapacity(ctx, drive, plan.policy);
      await this.recordSession(ctx, session());
      await this.recordManifest(ctx, days, stagingManifest ?? { verifyOpId });
    } finally {
      // Adopted, this drops nothing; a run that failed on the way drops what it fetched.
      await stagingManifest?.abandon();
    }
  }

  /**
   * Starts the agent hashing the staging days for the manifest, under the run's own operation
   * id, and the fetch of its pages once it ends (recordManifest turns a failure into a
   * warning). A write that fails leaves the agent's file unread, and the agent drops it with
   * its other old manifests.
   */
  private startStagingManifest(ctx: RunContext, days: DayStamp[]): StagingManifest | undefined {
    const agent = this.recordsManifests() ? this.devices?.manifests?.(ctx.device) : undefined;
    if (!agent || !this.manifests) return undefined;
    return new StagingManifest(this.manifests, agent, ctx.run.id, days);
  }

  /**
   * Files every written day's manifest in the catalog: what the passed verify hashed, or (no
   * read-back) the staging days hashed beside the write. A failure is a warning: the data is safe.
   */
  private async recordManifest(
    ctx: RunContext,
    days: DayStamp[],
    from: { verifyOpId: string | undefined } | StagingManifest,
  ): Promise<void> {
    const manifests = this.manifests;
    const agent = this.recordsManifests() ? this.devices?.manifests?.(ctx.device) : undefined;
    if (!manifests || !agent) return;
    const staging = from instanceof StagingManifest;
    const opId = staging ? from.opId : from.verifyOpId;
    if (opId === undefined) return;
    await ctx.step('manifest', async () => {
      try {
        const recorded = staging
          ? await from.adopt(ctx.now())
          : await importManifest(manifests, agent, { runId: ctx.run.id, opId, recordedAt: ctx.now() });
        if (recorded === null) throw new InternalError('the session is not in the media catalog');
        await ctx.record({ manifest: { ...recorded, source: staging ? 'staging' : 'verify' } });
      } catch (error) {
        await ctx.warn(
          'MANIFEST_FAILED',
          `the disc was written, but the manifest of ${days.join(', ')} was not recorded (${errorMessage(error)}): ` +
            '`cedar-store manifest` and `cedar-store find` will not show these days; the disc itself is not affected.',
        );
      }
    });
  }

  /**
   * Reads the disc back and compares it with staging; a difference fails the run. With
   * `manifest`, the agent keeps the manifest of a passed verify for recordManifest.
   */
  async consistencyCheck(
    ctx: RunContext,
    drive: MediaDrive,
    days: DayStamp[],
    options: { manifest?: boolean } = {},
  ): Promise<VerifyReport> {
    return ctx.step('verify', async () => {
      const report = await drive.verify({ days, ...(options.manifest ? { manifest: true } : {}) }, ctx.onProgress);
      await ctx.record({ verify: report });
      // Any difference fails, whatever `ok` says: a day is never marked stored over a mismatch.
      if (!readBackIdentical(report)) throw verifyFailure(report, ctx.run.action !== 'verify');
      return report;
    });
  }

  /** Manifests are recorded where the catalog keeps them and the device's agent records them. */
  private recordsManifests(): boolean {
    return this.manifests !== undefined && this.devices?.manifests !== undefined;
  }

  /** The optional capacity check: it warns, it never fails a run. */
  private async checkCapacity(ctx: RunContext, drive: MediaDrive, policy: DevicePolicy): Promise<void> {
    if (!policy.capacityLimit) return ctx.skip('capacity', 'no capacity limit configured');
    await ctx.step('capacity', async () => {
      try {
        const status = await drive.status();
        const { bytesUsed, bytesAvailable } = status;
        const capacity = { bytesUsed, bytesAvailable, utilizedPercent: utilizedPercent(bytesUsed, bytesAvailable) };
        const warning = capacityWarning(capacity, policy.capacityLimit);
        if (warning) await ctx.warn('CAPACITY_LIMIT', warning);
      } catch (error) {
        await ctx.warn('CAPACITY_UNKNOWN', `could not read the media capacity after the write: ${errorMessage(error)}`);
      }
    });
  }

  /** Remembers what is on which disc; a failure here is a warning, the data is safe. */
  async recordSession(ctx: RunContext, session: CatalogEntry): Promise<void> {
    await ctx.step('catalog', async () => {
      try {
        // A first session on blank media starts a disc, whatever the blank decision said.
        const overwrote = session.decision.newDisc ? overwrittenLabel(session.status) : undefined;
        await recordSession(this.catalog, {
          device: ctx.device,
          label: session.label,
          newDisc: session.decision.newDisc || mediaBlank(session.status),
          days: session.days,
          bytes: session.bytes,
          runId: ctx.run.id,
          writtenAt: ctx.now(),
          ...(session.verified === undefined ? {} : { verified: session.verified }),
          ...(overwrote === undefined ? {} : { overwrote }),
        });
      } catch (error) {
        await ctx.warn(
          'CATALOG_FAILED',
          `the disc was written but the media catalog was not updated: ${errorMessage(error)}`,
        );
      }
    });
  }
}

/** Why a dry run's write step is skipped: the one place the step log words it. */
export const DRY_RUN_STOP = 'dry run: the plan ends after the fit check; nothing was blanked, written or marked';

/** What the catalog learns of a session from the run that wrote it. */
type CatalogEntry = {
  days: DayStamp[];
  label: string;
  decision: Pick<NewDiscDecision, 'newDisc'>;
  /** The media as read before the write. */
  status: MediaStatus;
  bytes: number;
  verified?: boolean;
};

/** The media held no session (or is taken as empty): what is written next starts a disc. */
export function mediaBlank(status: MediaStatus): boolean {
  return status.sessions === 0 || status.treatedAsEmpty !== undefined;
}

/** The label of the disc a new disc blanks: rewritable media that held a labelled disc. */
function overwrittenLabel(status: MediaStatus): string | undefined {
  if (!status.rewritable || mediaBlank(status)) return undefined;
  return status.label ?? undefined;
}

/** Read back identical, found different, or (no report) not read back. */
function verifiedFlag(report: VerifyReport | undefined): { verified?: boolean } {
  if (!report) return {};
  return { verified: readBackIdentical(report) };
}

/** A device we may write to: a disc is present and nothing has it mounted. */
export function assertWritable(device: string, status: MediaStatus): void {
  assertMediaPresent({ device, mediaPresent: status.mediaPresent });
  if (status.mounted) {
    throw new DeviceMountedError(`${device} is mounted: unmount it and run again. Nothing was written.`);
  }
}

function verifyFailure(report: VerifyReport, afterWrite: boolean): VerifyFailedError {
  if (report.mismatches.length === 0) {
    return new VerifyFailedError(
      `${differencesFound(report)}. ` +
        (afterWrite ? 'The store indicator was not written.' : 'Check the drive and media.'),
    );
  }
  const advice = afterWrite
    ? 'The store indicator was not written, so these days still wait in staging: check the drive and media, then run `cedar-store store` again today or `cedar-store rebuild`.'
    : 'The disc does not hold what staging holds: check the drive and media, and run `cedar-store rebuild` to write the week again.';
  return new VerifyFailedError(`${differencesFound(report)}. ${advice}`, { mismatches: mismatchTotal(report) });
}
