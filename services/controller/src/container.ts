/**
 * The controller's object graph. The service's main binds real adapters here; tests bind
 * the in-memory ones in the same shape.
 */
import 'reflect-metadata';
import {
  TOKENS,
  type Clock,
  type DeviceDirectory,
  type MediaCatalog,
  type PolicySource,
  type RunRepository,
} from '@cedar-store/ports';
import { Container } from 'inversify';
import { DiscWriter } from './disc/disc-writer.js';
import { InitializeUseCase } from './initialize/initialize.js';
import { RebuildUseCase } from './rebuild/rebuild.js';
import { DeviceScopes } from './runs/device-scope.js';
import { RunCoordinator } from './runs/run-coordinator.js';
import { ObservableRunRepository } from './runs/run-events.js';
import { RunExecutor } from './runs/run-executor.js';
import { StoreUseCase } from './store/store.js';
import { VerifyUseCase } from './verify/verify.js';

export type ControllerPorts = {
  deviceDirectory: DeviceDirectory;
  runRepository: RunRepository;
  mediaCatalog: MediaCatalog;
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
  container.bind<Clock>(TOKENS.Clock).toConstantValue(ports.clock);
  container.bind<PolicySource>(TOKENS.PolicySource).toConstantValue(ports.policySource);
  for (const service of [
    DeviceScopes,
    DiscWriter,
    StoreUseCase,
    RebuildUseCase,
    InitializeUseCase,
    VerifyUseCase,
    RunExecutor,
    RunCoordinator,
  ]) {
    container.bind(service).toSelf();
  }
  return container;
}
