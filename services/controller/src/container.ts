/**
 * The controller's object graph. The service's composition root (server/controller-service.ts)
 * gives it the real adapters and starts what it builds; tests give it the in-memory ones in
 * the same shape. Each binding is resolved: the root asks for the coordinator, the observable
 * run repository and recovery; everything else is injected into them.
 *
 * No `import 'reflect-metadata'`: the injections name their tokens (`@inject`), so no decorator
 * metadata is read, and inversify loads the `reflect-metadata/lite` its decorators need itself.
 * The full polyfill beside it was a second copy of the same code in the controller's memory.
 */
import {
  TOKENS,
  type Clock,
  type DeviceDirectory,
  type AuditCatalog,
  type ManifestCatalog,
  type MediaCatalog,
  type PolicySource,
  type RunRepository,
} from '@cedar-store/ports';
import { Container } from 'inversify';
import { SessionSteps } from './disc/session-steps.js';
import { InitializeUseCase } from './initialize/initialize.js';
import { RebuildUseCase } from './rebuild/rebuild.js';
import { RestoreUseCase } from './restore/restore.js';
import { AuditUseCase } from './audit/audit.js';
import { LostOperations } from './recovery/lost-operations.js';
import { DeviceScopes } from './runs/device-scope.js';
import { RunCoordinator } from './runs/run-coordinator.js';
import { ObservableRunRepository } from './runs/run-events.js';
import { RunExecutor } from './runs/run-executor.js';
import { USE_CASES, type UseCases } from './runs/use-case.js';
import { StoreUseCase } from './store/store.js';
import { VerifyUseCase } from './verify/verify.js';

export type ControllerPorts = {
  deviceDirectory: DeviceDirectory;
  runRepository: RunRepository;
  mediaCatalog: MediaCatalog;
  /** The manifests of written days; without it (in-memory tests), none is recorded. */
  manifestCatalog?: ManifestCatalog;
  /** The audits of the catalog's discs; without it (in-memory tests), the audit action cannot run. */
  auditCatalog?: AuditCatalog;
  clock: Clock;
  policySource: PolicySource;
};

export function createControllerContainer(ports: ControllerPorts): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind<DeviceDirectory>(TOKENS.DeviceDirectory).toConstantValue(ports.deviceDirectory);
  // Every run and event goes through one observable repository, so live subscribers (SSE,
  // metrics) see exactly what is stored.
  const runs = new ObservableRunRepository(ports.runRepository);
  container.bind(ObservableRunRepository).toConstantValue(runs);
  container.bind<RunRepository>(TOKENS.RunRepository).toConstantValue(runs);
  container.bind<MediaCatalog>(TOKENS.MediaCatalog).toConstantValue(ports.mediaCatalog);
  if (ports.manifestCatalog) {
    container.bind<ManifestCatalog>(TOKENS.ManifestCatalog).toConstantValue(ports.manifestCatalog);
  }
  if (ports.auditCatalog) container.bind<AuditCatalog>(TOKENS.AuditCatalog).toConstantValue(ports.auditCatalog);
  container.bind<Clock>(TOKENS.Clock).toConstantValue(ports.clock);
  container.bind<PolicySource>(TOKENS.PolicySource).toConstantValue(ports.policySource);
  for (const service of [
    DeviceScopes,
    SessionSteps,
    StoreUseCase,
    RebuildUseCase,
    InitializeUseCase,
    VerifyUseCase,
    RestoreUseCase,
    AuditUseCase,
    RunExecutor,
    RunCoordinator,
  ]) {
    container.bind(service).toSelf();
  }
  // The executor gets the use cases from here, so `runs/` never imports the use cases' folders.
  container
    .bind<UseCases>(USE_CASES)
    .toResolvedValue(
      (store, rebuild, initialize, verify, restore, audit) => ({ store, rebuild, initialize, verify, restore, audit }),
      [StoreUseCase, RebuildUseCase, InitializeUseCase, VerifyUseCase, RestoreUseCase, AuditUseCase],
    );
  // Recovery is built here and started by the composition root, which alone knows when agents connect.
  container
    .bind(LostOperations)
    .toResolvedValue(
      (repository: RunRepository, devices: DeviceDirectory, catalog: MediaCatalog, clock: Clock) =>
        new LostOperations(repository, devices, catalog, clock, ports.manifestCatalog),
      [TOKENS.RunRepository, TOKENS.DeviceDirectory, TOKENS.MediaCatalog, TOKENS.Clock],
    );
  return container;
}
