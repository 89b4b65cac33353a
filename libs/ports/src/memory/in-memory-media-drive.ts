import {
  assertCanStartNewDisc,
  assertRewritable,
  calculateCapacity,
  checkImageFits,
  comparePaths,
  compareTrees,
  dayToGraftPoint,
  graftPointToDay,
  DeviceMountedError,
  InvalidRequestError,
  mediaDefinition,
  MismatchTally,
  NoStagingDirectoryError,
  parseGlob,
  restoreTargetProblem,
  SECTOR_SIZE,
  WrongDiscError,
  wrongDiscProblem,
  type DayStamp,
  type FileFacts,
  type MediaType,
} from '@cedar-store/domain';
import type { MediaDrive, OperationOptions, ProgressListener, RestoreRequest } from '../media-drive.js';
import type {
  AuditResult,
  ImageEstimate,
  ManifestRecord,
  MediaStatus,
  RestoreResult,
  VerifyReport,
  WriteResult,
} from '../wire/methods.js';
import { LIMITS } from '../wire/constants.js';
import { copyContent, flipped, sameContent, sha256Of, type FileContent } from './file-content.js';
import type { InMemoryStagingArea } from './in-memory-staging-area.js';

/** `startSector` and `nextWritable` are the CD multisession boundaries `-msinfo` reports. */
type Session = { label: string; startSector: number; nextWritable: number; files: Map<string, FileContent> };
type Operation = 'status' | 'estimate' | 'write' | 'blank' | 'initialize' | 'verify' | 'export' | 'restore' | 'audit';

/** The directory `initialize` puts on a new disc. */
const INITIALIZE_DIRECTORY = 'CedarBackup';

/** Directory records, path tables and volume descriptors of a session, roughly as mkisofs lays them. */
const SESSION_OVERHEAD_SECTORS = 32;

const sectorsFor = (bytes: number): number => Math.ceil(bytes / SECTOR_SIZE);

/**
 * A disc in memory: its media type's capacity enforced, sessions appended, blanking,
 * labels, and a way to corrupt a file so verify fails. For unit tests only; the `virtual`
 * backend is the real thing.
 */
export class InMemoryMediaDrive implements MediaDrive {
  readonly mediaType: MediaType;
  mounted = false;
  /** Every operation in the order it was asked for, to prove what happened before what. */
  readonly operations: Operation[] = [];
  private sessions: Session[] = [];
  private readonly failures = new Map<Operation, Error>();
  private readonly hangs = new Map<Operation, Promise<void>>();
  private readonly afterwards = new Map<Operation, () => void>();
  /** What restores wrote, per target name: the files by their path on the disc. */
  readonly restoreTargets = new Map<string, Map<string, FileContent>>();
  /** The hashes each restore recorded, by operation id, in the order it restored them. */
  readonly restoreRecords = new Map<string, ManifestRecord[]>();
  /** The hashes each audit recorded, by operation id, sorted by day then path as the agent records them. */
  readonly auditRecords = new Map<string, ManifestRecord[]>();

  constructor(
    private readonly staging: InMemoryStagingArea,
    options: { mediaType: MediaType },
  ) {
    this.mediaType = options.mediaType;
    mediaDefinition(this.mediaType);
  }

  /** The next call of `operation` fails with `error`, changing nothing. */
  failNext(operation: Operation, error: Error): void {
    this.failures.set(operation, error);
  }

  /** The next call of `operation` waits for `until` before it starts its work. */
  holdNext(operation: Operation, until: Promise<void>): void {
    this.hangs.set(operation, until);
  }

  /** Runs `hook` once, right after the next successful `operation` (e.g. a bad burn after a write). */
  afterNext(operation: Operation, hook: () => void): void {
    this.afterwards.set(operation, hook);
  }

  private succeeded(operation: Operation): void {
    const hook = this.afterwards.get(operation);
    this.afterwards.delete(operation);
    hook?.();
  }

  /** Flips the first byte of a file on the disc, as a bad burn would. */
  corrupt(path: string): void {
    for (const session of [...this.sessions].reverse()) {
      const content = session.files.get(path);
      if (content) {
        session.files.set(path, flipped(content));
        return;
      }
    }
    throw new Error(`no file ${path} on the disc`);
  }

  /** The file tree a reader of the disc sees: later sessions continue earlier ones. */
  tree(): Map<string, FileContent> {
    const files = new Map<string, FileContent>();
    for (const session of this.sessions) for (const [path, content] of session.files) files.set(path, content);
    return files;
  }

  sessionLabels(): string[] {
    return this.sessions.map((session) => session.label);
  }

  /** Puts a disc with one session in the drive, as if written elsewhere. */
  loadDisc(label: string, files: Record<string, string> = {}): void {
    const contents = new Map(Object.entries(files).map(([path, text]) => [path, new TextEncoder().encode(text)]));
    this.sessions = [this.session(label, contents, true)];
  }

  /** How the rules' messages name this drive. */
  private get device(): string {
    return `the ${this.mediaType} drive`;
  }

  private get definition() {
    return mediaDefinition(this.mediaType);
  }

  private async begin(operation: Operation): Promise<void> {
    this.operations.push(operation);
    const hang = this.hangs.get(operation);
    if (hang) {
      this.hangs.delete(operation);
      await hang;
    }
    const failure = this.failures.get(operation);
    if (failure) {
      this.failures.delete(operation);
      throw failure;
    }
  }

  private refuseMounted(): void {
    if (this.mounted) {
      throw new DeviceMountedError(`the ${this.mediaType} device is mounted: unmount it before writing`);
    }
  }

  private usedSectors(): number {
    return this.sessions.at(-1)?.nextWritable ?? 0;
  }

  /** A session after the last one; on CDs each session also spends its lead-in, as real discs do. */
  private session(label: string, files: Map<string, FileContent>, newDisc: boolean): Session {
    const startSector = newDisc ? 0 : this.usedSectors();
    const leadIn = newDisc ? this.definition.initialLeadInSectors : this.definition.sessionLeadInSectors;
    return { label, startSector, nextWritable: startSector + this.imageSectors(files) + leadIn, files };
  }

  /** What a real drive reports: multisession boundaries for a CD, sectors used otherwise. */
  private usage(): { boundaries: [number, number] | null } | { sectorsUsed: number } {
    const used = this.usedSectors();
    if (this.definition.family !== 'cd') return { sectorsUsed: used };
    return { boundaries: used === 0 ? null : [this.sessions.at(-1)?.startSector ?? 0, used] };
  }

  private capacity() {
    return calculateCapacity(this.definition, this.usage());
  }

  private imageSectors(files: Map<string, FileContent>): number {
    let sectors = SESSION_OVERHEAD_SECTORS;
    for (const content of files.values()) sectors += sectorsFor(content.byteLength);
    return sectors;
  }

  private imageFiles(days: DayStamp[]): Map<string, FileContent> {
    const files = new Map<string, FileContent>();
    for (const day of days) {
      if (!this.staging.hasDay(day)) throw new NoStagingDirectoryError(`staging day ${day} does not exist`);
      for (const [path, content] of this.staging.filesAtGraftPoint(day)) files.set(path, copyContent(content));
    }
    return files;
  }

  async status(): Promise<MediaStatus> {
    await this.begin('status');
    const capacity = this.capacity();
    return {
      mediaPresent: true,
      mediaType: this.mediaType,
      rewritable: this.definition.rewritable,
      label: this.sessions.at(-1)?.label ?? null,
      mounted: this.mounted,
      sessions: this.sessions.length,
      bytesUsed: capacity.bytesUsed,
      bytesAvailable: capacity.bytesAvailable,
      ...this.usage(),
    };
  }

  async estimate(request: { days: DayStamp[]; newDisc: boolean; upperBound?: number }): Promise<ImageEstimate> {
    await this.begin('estimate');
    if (request.upperBound !== undefined) return { bytes: request.upperBound };
    return { bytes: this.imageSectors(this.imageFiles(request.days)) * SECTOR_SIZE };
  }

  async write(
    request: { days: DayStamp[]; label: string; newDisc: boolean; estimate?: ImageEstimate },
    onProgress?: ProgressListener,
  ): Promise<WriteResult> {
    await this.begin('write');
    this.refuseMounted();
    const files = this.imageFiles(request.days);
    const sectors = this.imageSectors(files);
    const bytes = sectors * SECTOR_SIZE;
    if (request.newDisc) {
      assertCanStartNewDisc({
        device: this.device,
        rewritable: this.definition.rewritable,
        sessions: this.sessions.length,
      });
    }
    checkImageFits(this.definition, {
      requiredBytes: bytes,
      newDisc: request.newDisc,
      bytesAvailable: this.capacity().bytesAvailable,
    });
    const session = this.session(request.label, files, request.newDisc || this.sessions.length === 0);
    if (request.newDisc && this.sessions.length > 0) {
      // A new disc on used rewritable media is blanked first, as the real backends do.
      this.operations.push('blank');
      onProgress?.({ phase: 'blank', bytesDone: 1, bytesTotal: 1 });
      this.sessions = [];
    }
    onProgress?.({ phase: 'write', bytesDone: 0, bytesTotal: bytes });
    this.sessions.push(session);
    onProgress?.({ phase: 'write', bytesDone: bytes, bytesTotal: bytes });
    this.succeeded('write');
    return { bytesWritten: bytes, sessions: this.sessions.length };
  }

  async blank(onProgress?: ProgressListener): Promise<void> {
    await this.begin('blank');
    this.refuseMounted();
    assertRewritable(this.definition, 'blanked');
    this.sessions = [];
    onProgress?.({ phase: 'blank', bytesDone: 1, bytesTotal: 1 });
    this.succeeded('blank');
  }

  async initialize(label: string): Promise<void> {
    await this.begin('initialize');
    this.refuseMounted();
    assertRewritable(this.definition, 'initialized');
    // One empty directory, as the reference writes it (a trailing `/` marks a directory).
    this.sessions = [this.session(label, new Map([[`${INITIALIZE_DIRECTORY}/`, new Uint8Array(0)]]), true)];
  }

  async verify(request: { days: DayStamp[] }, onProgress?: ProgressListener): Promise<VerifyReport> {
    await this.begin('verify');
    const disc = this.tree();
    const expected: FileFacts[] = [];
    const actual: FileFacts[] = [];
    let bytesCompared = 0;
    for (const day of request.days) {
      const graft = `${day.replaceAll('-', '/')}/`;
      const staged = this.staging.filesAtGraftPoint(day);
      for (const [path, content] of staged) expected.push({ path, kind: 'file', size: content.byteLength });
      for (const [path, content] of disc) {
        if (!path.startsWith(graft)) continue;
        const original = staged.get(path);
        const differs = original !== undefined && !sameContent(original, content);
        if (original) bytesCompared += content.byteLength;
        actual.push({ path, kind: 'file', size: content.byteLength, contentDiffers: differs });
      }
    }
    // Named and counted as the agent does: the first ones by path, and how many in all when there are more.
    const tally = new MismatchTally(LIMITS.maxMismatchesReported);
    for (const mismatch of compareTrees(expected, actual)) tally.add(mismatch);
    onProgress?.({ phase: 'verify', bytesDone: bytesCompared, bytesTotal: bytesCompared });
    return {
      ok: tally.count === 0,
      method: 'memory',
      filesCompared: expected.length,
      bytesCompared,
      mismatches: tally.named,
      ...(tally.unnamed > 0 ? { mismatchCount: tally.count } : {}),
    };
  }

  /**
   * Hashes every file of the days' tree on the disc, as the agent's audit does, into
   * `auditRecords` under the operation id; other files are skipped. No MD5s in memory: `absent`.
   */
  async audit(_request?: unknown, onProgress?: ProgressListener, operation?: OperationOptions): Promise<AuditResult> {
    await this.begin('audit');
    this.refuseMounted();
    const records: ManifestRecord[] = [];
    let skipped = 0;
    let bytes = 0;
    for (const [path, content] of this.tree()) {
      const day = graftPointToDay(path.split('/').slice(0, 3).join('/'));
      if (!day || path.split('/').length < 4) {
        skipped += 1;
        continue;
      }
      bytes += content.byteLength;
      records.push({ day, path, size: content.byteLength, sha256: sha256Of(content) });
    }
    records.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : comparePaths(a.path, b.path)));
    if (operation) this.auditRecords.set(operation.opId, records);
    onProgress?.({ phase: 'audit', bytesDone: bytes, bytesTotal: bytes });
    this.succeeded('audit');
    return {
      label: this.sessions.at(-1)?.label ?? null,
      sessions: this.sessions.length,
      files: records.length,
      bytes,
      unreadable: [],
      unreadableCount: 0,
      skipped,
      md5: { verdict: 'absent', words: 'no MD5s in memory' },
    };
  }

  /**
   * Restores the day from the disc into `restoreTargets` under the target name, as the agent
   * restores into `<restoreRoot>/<target>`: another disc is WRONG_DISC and a non-empty target
   * needs `force`, with nothing written either way. Hashes go to `restoreRecords`.
   */
  async restore(
    request: RestoreRequest,
    onProgress?: ProgressListener,
    operation?: OperationOptions,
  ): Promise<RestoreResult> {
    await this.begin('restore');
    this.refuseMounted();
    const { id, ...expected } = request.disc;
    const found = { label: this.sessions.at(-1)?.label ?? null, sessions: this.sessions.length };
    const wrong = wrongDiscProblem(request.day, id === undefined ? expected : { ...expected, discId: id }, found);
    if (wrong) throw new WrongDiscError(wrong);
    const problem = restoreTargetProblem(request.target);
    if (problem) throw new InvalidRequestError(`the restore target "${request.target}" ${problem}`);
    const target = this.restoreTargets.get(request.target) ?? new Map<string, FileContent>();
    if (target.size > 0 && !request.force)
      throw new InvalidRequestError(
        `the restore target ${request.target} is not empty: add --force to restore into it`,
      );
    const graft = `${dayToGraftPoint(request.day)}/`;
    const globs = request.paths?.map((glob) => parseGlob(glob));
    // Recorded in path order, as the agent records them.
    const chosen = [...this.tree()]
      .filter(
        ([path]) =>
          path.startsWith(graft) && (!globs || globs.some((glob) => glob.regex.test(path.slice(graft.length)))),
      )
      .sort(([a], [b]) => comparePaths(a, b));
    if (chosen.length === 0 && !globs)
      throw new WrongDiscError(`the disc holds no ${dayToGraftPoint(request.day)}. Nothing was written.`);
    const records: ManifestRecord[] = [];
    let bytes = 0;
    for (const [path, content] of chosen) {
      target.set(path, copyContent(content));
      bytes += content.byteLength;
      records.push({ day: request.day, path, size: content.byteLength, sha256: sha256Of(content) });
    }
    this.restoreTargets.set(request.target, target);
    if (operation) this.restoreRecords.set(operation.opId, records);
    onProgress?.({ phase: 'restore', bytesDone: bytes, bytesTotal: bytes });
    return {
      target: `memory:/restore/${request.target}`,
      files: records.length,
      bytes,
      directories: 0,
      symlinks: 0,
      refused: [],
      refusedCount: 0,
    };
  }

  async exportImage(request: { days: DayStamp[]; label: string }): Promise<{ path: string; bytes: number }> {
    await this.begin('export');
    const bytes = this.imageSectors(this.imageFiles(request.days)) * SECTOR_SIZE;
    return { path: `memory:/${request.label.replaceAll(' ', '_')}.iso`, bytes };
  }
}
