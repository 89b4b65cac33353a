/**
 * The audit action (docs/auditing.md): have the device's agent read and hash every file of the
 * disc in the drive, find in the catalog the disc its label names and that disc's manifest, and
 * compare them page by page. The verdict is kept (AuditCatalog.recordAudit) and shown on the run;
 * a failed audit fails the run VERIFY_FAILED naming the files and saying what to do.
 */
import { InternalError, InvalidRequestError, VerifyFailedError, WrongDiscError } from '@cedar-store/domain';
import {
  TOKENS,
  type AuditCatalog,
  type AuditResult,
  type AuditSummary,
  MAX_RECORDED_AUDIT_PROBLEMS,
  type DeviceDirectory,
  type DiscAuditRecord,
  type ManifestCatalog,
} from '@cedar-store/ports';
import { inject, injectable, optional } from 'inversify';
import { DeviceScopes } from '../runs/device-scope.js';
import type { RunContext } from '../runs/run-context.js';
import type { UseCase } from '../runs/use-case.js';
import { auditVerdict } from './audit-verdict.js';
import { failedMessage, noDiscMessage, noManifestMessage } from './audit-wording.js';

/** Records asked for per manifest.read page of the agent's audit records. */
const PAGE_RECORDS = 2000;

@injectable()
export class AuditUseCase implements UseCase {
  constructor(
    @inject(DeviceScopes) private readonly scopes: DeviceScopes,
    @inject(TOKENS.DeviceDirectory) private readonly devices: DeviceDirectory,
    @inject(TOKENS.ManifestCatalog) @optional() private readonly manifests?: ManifestCatalog,
    @inject(TOKENS.AuditCatalog) @optional() private readonly audits?: AuditCatalog,
  ) {}

  async execute(ctx: RunContext): Promise<void> {
    const { manifests, audits } = this;
    const agent = this.devices.manifests?.(ctx.device);
    if (!manifests || !audits || !agent)
      throw new InternalError('an audit needs the manifest and audit catalogs and the records of an agent');
    const { drive } = this.scopes.for(ctx);

    const opId = `${ctx.run.id}:audit`;
    const read = await ctx.step('audit', () => drive.audit({}, ctx.onProgress));
    const disc = await ctx.step('select', async () => {
      const found = read.label === null ? null : await audits.discCarrying(read.label);
      if (!found) throw new WrongDiscError(noDiscMessage(read.label));
      if ((await manifests.manifestDays(found.discId)).length === 0)
        throw new InvalidRequestError(noManifestMessage(found.discId, found.label));
      return found;
    });

    const record = await ctx.step('verify', async () => {
      const verdict = await auditVerdict({
        manifests,
        discId: disc.discId,
        read,
        readPage: (cursor) => agent.read(opId, cursor, PAGE_RECORDS),
        runId: ctx.run.id,
        auditedAt: ctx.now(),
      });
      await audits.recordAudit(verdict.record);
      await ctx.record({ audit: summary(disc, read, verdict.record) });
      return verdict.record;
    });
    if (!record.ok) throw new VerifyFailedError(failedMessage(record, disc.label));
  }
}

function summary(disc: { discId: number; label: string }, read: AuditResult, record: DiscAuditRecord): AuditSummary {
  return {
    disc: { id: disc.discId, label: disc.label },
    files: read.files,
    bytes: read.bytes,
    ok: record.ok,
    counts: { ...record.counts },
    md5: record.md5,
    problems: record.problems
      .slice(0, MAX_RECORDED_AUDIT_PROBLEMS)
      .map((problem) => ({ kind: problem.kind, path: problem.path })),
  };
}
