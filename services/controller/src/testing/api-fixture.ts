/**
 * The HTTP API wired the way the tests use it: the real coordinator and executor over
 * in-memory adapters, one `dvd+rw` device per ref, a clock on Thursday 2026-11-26 (UTC).
 */
import {
  FixedClock,
  InMemoryDeviceDirectory,
  InMemoryMediaCatalog,
  InMemoryMediaDrive,
  InMemoryRunRepository,
  InMemoryStagingArea,
} from '@cedar-store/ports/memory';
import type { Logger } from 'pino';
import { createControllerContainer } from '../container.js';
import { openDatabase, SqliteManifestCatalog } from '../persistence/index.js';
import { StaticPolicySource } from '../policy/device-policy.js';
import { RunCoordinator } from '../runs/run-coordinator.js';
import { ObservableRunRepository } from '../runs/run-events.js';
import { createApp, type ApiLimits } from '../http/app.js';
import { ControllerMetrics } from '../http/metrics.js';
import type { Readiness } from '../http/schemas.js';

export const API_TOKEN = 'test-api-token-5f2b9c';
export const AUTH = { Authorization: `Bearer ${API_TOKEN}` } as const;
export const DEVICE = 'burner-1/dvd0';
export const TODAY = '2026-11-26';

export type ApiFixtureOptions = { devices?: string[]; limits?: Partial<ApiLimits>; logger?: Logger };

export function createApiFixture(options: ApiFixtureOptions = {}) {
  const devices = (options.devices ?? [DEVICE]).map((ref) => {
    const staging = new InMemoryStagingArea();
    return {
      ref,
      staging,
      drive: new InMemoryMediaDrive(staging, { mediaType: 'dvd+rw' }),
      mediaType: 'dvd+rw' as const,
    };
  });
  const directory = new InMemoryDeviceDirectory(devices);
  const catalog = new InMemoryMediaCatalog();
  // The manifest routes read SQLite directly; an empty database in memory serves them here.
  const manifests = new SqliteManifestCatalog(openDatabase(':memory:'));
  const container = createControllerContainer({
    deviceDirectory: directory,
    runRepository: new InMemoryRunRepository(),
    mediaCatalog: catalog,
    clock: new FixedClock(new Date(`${TODAY}T22:00:00Z`)),
    policySource: new StaticPolicySource({ timeZone: 'UTC' }),
  });
  const coordinator = container.get(RunCoordinator);
  const runs = container.get(ObservableRunRepository);
  const metrics = new ControllerMetrics(runs, directory, { defaultMetrics: false });
  let readiness: Readiness = { ready: true, checks: { database: true, config: true } };
  const app = createApp({
    coordinator,
    runs,
    catalog,
    manifests,
    devices: directory,
    timeZone: 'UTC',
    token: API_TOKEN,
    metrics,
    ready: () => readiness,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });

  /** A device's staging area and drive, the first one by default. */
  function device(ref = devices[0]!.ref) {
    const found = devices.find((candidate) => candidate.ref === ref);
    if (!found) throw new Error(`no device ${ref} in this fixture`);
    return found;
  }

  return {
    app,
    coordinator,
    runs,
    catalog,
    directory,
    metrics,
    device,
    setReadiness: (next: Readiness) => {
      readiness = next;
    },
  };
}

/** A promise with its resolve function, to hold a drive operation until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Waits until `check` holds, polling; fails the test after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
