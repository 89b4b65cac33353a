/**
 * A drive on an agent, reached over the wire: each port method is one JSON-RPC call on the
 * agent's connection, with progress passed through to the caller's listener.
 */
import { InternalError, type DayStamp } from '@cedar-store/domain';
import type {
  AuditRequest,
  AuditResult,
  ImageEstimate,
  MediaDrive,
  MediaStatus,
  OperationOptions,
  ProgressListener,
  RestoreRequest,
  RestoreResult,
  VerifyReport,
  WriteResult,
} from '@cedar-store/ports';
import type { AgentClient, CallOptions } from './agent-client.js';

export class RemoteMediaDrive implements MediaDrive {
  constructor(
    private readonly client: AgentClient,
    /** The agent-local device id (`dvd0`), not the controller's `agent/device` ref. */
    readonly deviceId: string,
  ) {}

  status(): Promise<MediaStatus> {
    return this.client.call('media.status', { device: this.deviceId });
  }

  estimate(request: { days: DayStamp[]; newDisc: boolean; upperBound?: number }): Promise<ImageEstimate> {
    return this.client.call('media.estimate', {
      device: this.deviceId,
      days: request.days,
      newDisc: request.newDisc,
      // The estimate goes back with the write, whose fit check reuses it while its stamp holds.
      stamped: true,
      ...(request.upperBound === undefined ? {} : { upperBound: request.upperBound }),
    });
  }

  write(
    request: { days: DayStamp[]; label: string; newDisc: boolean; estimate?: ImageEstimate },
    onProgress?: ProgressListener,
    operation?: OperationOptions,
  ): Promise<WriteResult> {
    return this.client.call(
      'media.write',
      {
        device: this.deviceId,
        days: request.days,
        label: request.label,
        newDisc: request.newDisc,
        ...(request.estimate ? { estimate: request.estimate } : {}),
        ...opIdOf(operation),
      },
      callOptions(onProgress, operation),
    );
  }

  async blank(onProgress?: ProgressListener, operation?: OperationOptions): Promise<void> {
    await this.client.call(
      'media.blank',
      { device: this.deviceId, ...opIdOf(operation) },
      callOptions(onProgress, operation),
    );
  }

  async initialize(label: string, operation?: OperationOptions): Promise<void> {
    await this.client.call(
      'media.initialize',
      { device: this.deviceId, label, ...opIdOf(operation) },
      callOptions(undefined, operation),
    );
  }

  verify(
    request: { days: DayStamp[]; manifest?: boolean },
    onProgress?: ProgressListener,
    operation?: OperationOptions,
  ): Promise<VerifyReport> {
    return this.client.call(
      'media.verify',
      {
        device: this.deviceId,
        days: request.days,
        ...(request.manifest ? { manifest: true } : {}),
        ...opIdOf(operation),
      },
      callOptions(onProgress, operation),
    );
  }

  /** media.restore: the agent needs an operation id, under which it records the restored files' hashes. */
  restore(
    request: RestoreRequest,
    onProgress?: ProgressListener,
    operation?: OperationOptions,
  ): Promise<RestoreResult> {
    if (!operation) throw new InternalError('a restore needs an operation id for the hashes the agent records');
    return this.client.call(
      'media.restore',
      {
        device: this.deviceId,
        day: request.day,
        disc: request.disc,
        target: request.target,
        ...(request.force ? { force: true } : {}),
        ...(request.paths && request.paths.length > 0 ? { paths: [...request.paths] } : {}),
        opId: operation.opId,
      },
      callOptions(onProgress, operation),
    );
  }

  /** media.audit: the agent journals it and records the hashes under the operation id (manifest.read pages them). */
  audit(_request?: AuditRequest, onProgress?: ProgressListener, operation?: OperationOptions): Promise<AuditResult> {
    if (!operation) throw new InternalError('an audit needs an operation id for the hashes the agent records');
    return this.client.call(
      'media.audit',
      { device: this.deviceId, opId: operation.opId },
      callOptions(onProgress, operation),
    );
  }

  exportImage(request: { days: DayStamp[]; label: string }): Promise<{ path: string; bytes: number }> {
    return this.client.call('media.export', { days: request.days, label: request.label });
  }
}

function progress(onProgress: ProgressListener | undefined): CallOptions {
  return onProgress ? { onProgress } : {};
}

function opIdOf(operation: OperationOptions | undefined): { opId?: string } {
  return operation ? { opId: operation.opId } : {};
}

function callOptions(onProgress: ProgressListener | undefined, operation: OperationOptions | undefined): CallOptions {
  return {
    ...progress(onProgress),
    ...(operation?.onConnectionLost ? { onConnectionLost: operation.onConnectionLost } : {}),
  };
}
