/**
 * The controller wired with in-memory adapters, the way the tests use it: one `dvd+rw`
 * device `burner-1/dvd0`, a staging area, a clock standing on a given instant.
 */
import type { MediaType } from '@cedar-store/domain';
import type { DevicePolicy, Run, RunAction } from '@cedar-store/ports';
import {
  FixedClock,
  InMemoryDeviceDirectory,
  InMemoryMediaCatalog,
  InMemoryMediaDrive,
  InMemoryRunRepository,
  InMemoryStagingArea,
} from '@cedar-store/ports/memory';
import { createControllerContainer } from '../container.js';
import { StaticPolicySource } from '../policy/device-policy.js';
import { newRun } from '../runs/new-run.js';
import { RunExecutor } from '../runs/run-executor.js';

export const DEVICE = 'burner-1/dvd0';

export type HarnessOptions = {
  mediaType?: MediaType;
  policy?: Partial<DevicePolicy>;
  /** The instant the clock stands on; a Thursday by default (2026-11-26, weeks start Monday). */
  now?: string;
  timeZone?: string;
};

export function createHarness(options: HarnessOptions = {}) {
  const mediaType = options.mediaType ?? 'dvd+rw';
  const staging = new InMemoryStagingArea();
  const drive = new InMemoryMediaDrive(staging, { mediaType });
  const runs = new InMemoryRunRepository();
  const catalog = new InMemoryMediaCatalog();
  const clock = new FixedClock(new Date(options.now ?? '2026-11-26T22:00:00Z'));
  const container = createControllerContainer({
    deviceDirectory: new InMemoryDeviceDirectory([{ ref: DEVICE, staging, drive, mediaType }]),
    runRepository: runs,
    mediaCatalog: catalog,
    clock,
    policySource: new StaticPolicySource({ timeZone: options.timeZone ?? 'UTC', policy: options.policy }),
  });
  const executor = container.get(RunExecutor);

  /** Queues a run the way the API does and executes it to its end. */
  async function queue(action: RunAction, runOptions: Run['options'] = {}, device = DEVICE): Promise<Run> {
    const run = newRun({ action, device, options: runOptions }, clock.now());
    await runs.create(run);
    return run;
  }

  async function run(action: RunAction, runOptions: Run['options'] = {}, device = DEVICE): Promise<Run> {
    const finished = await executor.execute(await queue(action, runOptions, device));
    const stored = await runs.get(finished.id);
    if (!stored) throw new Error('the run was not persisted');
    return stored;
  }

  /** The disc's files as text, `YYYY/MM/DD/path` → content. */
  function discText(): Record<string, string> {
    const decoder = new TextDecoder();
    return Object.fromEntries(
      [...drive.tree()].map(([path, content]) => [
        path,
        content instanceof Uint8Array ? decoder.decode(content) : `<${content.byteLength} bytes>`,
      ]),
    );
  }

  return { staging, drive, runs, catalog, clock, executor, queue, run, discText };
}
