/**
 * The agent's methods (docs/design.md#methods), each validated against the shared schema before it
 * runs and its result checked against the same contract before it leaves, so the agent never
 * answers with something the controller would have to distrust.
 */
import { CedarStoreError, DeviceUnknownError, InvalidRequestError } from '@cedar-store/domain';
import {
  describeZodError,
  isRpcMethod,
  plainResultCheckOf,
  rpcMethods,
  type JournaledMethod,
  type OperationRecord,
  type MediaDrive,
  type Progress,
  type RpcMethod,
  type RpcParams,
  type StagingArea,
} from '@cedar-store/ports';
import type { OperationJournal } from '../journal/operation-journal.js';
import type { OpticalDrive } from '../drive/optical-drive.js';
import type { ManifestStore } from '../manifest/manifest-store.js';

export type AgentDevice = {
  id: string;
  backend: 'xorriso' | 'cdrecord' | 'growisofs' | 'virtual';
  mediaType: string;
  drive: MediaDrive;
  /** Restores a day from the disc in the drive (the device's OpticalDrive); absent, media.restore refuses. */
  restore?: OpticalDrive['restore'];
  /** Reads and hashes every file of the disc in the drive (the device's OpticalDrive); absent, media.audit refuses. */
  audit?: OpticalDrive['audit'];
};

export type AgentServices = {
  agentId: string;
  version: string;
  staging: StagingArea;
  devices: ReadonlyMap<string, AgentDevice>;
  exportImage(request: { days: string[]; label: string }): Promise<{ path: string; bytes: number }>;
  /** Where writes, blanks, initializes and verifies are journaled; without one, operations.get knows nothing. */
  journal?: OperationJournal;
  /** Where each passed verify's manifest is recorded; without one, no manifest is (manifest.read then refuses). */
  manifests?: ManifestStore;
  /** agent.yaml restoreRoot: where media.restore writes, and nowhere else. */
  restoreRoot?: string;
};

export class MethodNotFoundError extends Error {}

type Handler<M extends RpcMethod> = (
  params: RpcParams<M>,
  onProgress: (progress: Progress) => void,
) => Promise<unknown>;

export function createHandlers(agent: AgentServices): { [M in RpcMethod]: Handler<M> } {
  const drive = (id: string): MediaDrive => {
    const device = agent.devices.get(id);
    if (!device) {
      throw new DeviceUnknownError(
        `agent ${agent.agentId} has no device "${id}"; it has ${[...agent.devices.keys()].join(', ') || 'none'}`,
      );
    }
    return device.drive;
  };
  /**
   * A write, blank, initialize or verify, journaled under the controller's id (or a local one)
   * from before it starts until its outcome, and refused while an operation an earlier agent
   * left running still holds the device.
   */
  const journaled = <T extends NonNullable<OperationRecord['result']>>(
    method: JournaledMethod,
    params: { device: string; opId?: string | undefined },
    work: (mediaDrive: MediaDrive, opId: string | undefined) => Promise<T>,
  ): Promise<T> => {
    const mediaDrive = drive(params.device);
    const journal = agent.journal;
    if (!journal) return work(mediaDrive, params.opId);
    const opId = journal.begin({ method, device: params.device, opId: params.opId });
    return journal.run(opId, () => work(mediaDrive, opId));
  };
  const manifests = (): ManifestStore => {
    if (!agent.manifests) throw new InvalidRequestError(`agent ${agent.agentId} records no manifests`);
    return agent.manifests;
  };
  return {
    'agent.describe': async () => ({
      agentId: agent.agentId,
      version: agent.version,
      devices: [...agent.devices.values()].map(({ id, backend, mediaType }) => ({ id, backend, mediaType })),
    }),
    'staging.inspect': async ({ days }) => ({ days: await agent.staging.inspect(days) }),
    'staging.markStored': async ({ days }) => ({ days: await agent.staging.markStored(days) }),
    'media.status': ({ device }) => drive(device).status(),
    // An older controller, which does not ask for the stamp, gets the `{ bytes }` it validates.
    'media.estimate': async ({ device, days, newDisc, stamped, upperBound }) => {
      const estimate = await drive(device).estimate({
        days,
        newDisc,
        ...(upperBound === undefined ? {} : { upperBound }),
      });
      return stamped ? estimate : { bytes: estimate.bytes };
    },
    'media.write': (params, onProgress) =>
      journaled('media.write', params, (d) =>
        d.write(
          {
            days: params.days,
            label: params.label,
            newDisc: params.newDisc,
            ...(params.estimate ? { estimate: params.estimate } : {}),
          },
          onProgress,
        ),
      ),
    'media.blank': (params, onProgress) =>
      journaled('media.blank', params, async (d) => {
        await d.blank(onProgress);
        return {};
      }),
    'media.initialize': (params) =>
      journaled('media.initialize', params, async (d) => {
        await d.initialize(params.label);
        return {};
      }),
    'media.verify': (params, onProgress) =>
      journaled('media.verify', params, (d, opId) => {
        // The files a passed verify found the same, with the hashes of the bytes it compared.
        if (!params.manifest || !agent.manifests || opId === undefined)
          return d.verify({ days: params.days }, onProgress);
        return agent.manifests.during(
          opId,
          (writer) =>
            d.verify(
              { days: params.days, onFileHashed: (path, size, sha256) => writer.add(path, size, sha256) },
              onProgress,
            ),
          (report) => report.ok && report.mismatches.length === 0,
        );
      }),
    'media.restore': async (params, onProgress) => {
      drive(params.device);
      const restore = agent.devices.get(params.device)?.restore;
      if (!restore || agent.restoreRoot === undefined)
        throw new InvalidRequestError(`agent ${agent.agentId} cannot restore on device ${params.device}`);
      const { restoreRoot } = agent;
      const store = manifests();
      return restore(
        {
          day: params.day,
          disc: params.disc,
          restoreRoot,
          target: params.target,
          force: params.force ?? false,
          paths: params.paths,
          // Every file restored is recorded with its hash, for the controller to check against the catalog.
          recording: (work) =>
            store.during(
              params.opId,
              (writer) => work((file) => writer.add(file.path, file.size, file.sha256)),
              () => true,
            ),
        },
        onProgress,
      );
    },
    // Journaled as a verify is: an audit reads for as long, and its records wait under the opId.
    'media.audit': (params, onProgress) =>
      journaled('media.audit', params, (_drive, opId) => {
        const audit = agent.devices.get(params.device)?.audit;
        if (!audit) throw new InvalidRequestError(`agent ${agent.agentId} cannot audit on device ${params.device}`);
        const store = manifests();
        return audit(
          {
            // Every file read, with its hash, in the catalog's order: the controller pages them with manifest.read.
            recording: (work) =>
              store.during(
                opId ?? params.opId,
                (writer) =>
                  work(async (file) => {
                    writer.add(file.path, file.size, file.sha256);
                    await writer.flushed();
                  }),
                () => true,
              ),
          },
          onProgress,
        );
      }),
    'media.export': ({ days, label }) => agent.exportImage({ days, label }),
    'operations.get': async ({ opIds }) => ({ operations: agent.journal?.get(opIds) ?? [] }),
    'manifest.read': ({ opId, cursor, maxRecords }) => manifests().read(opId, cursor, maxRecords),
    'manifest.hash': ({ days, opId }) => manifests().hashStaging(opId, days),
  };
}

/** Validates and runs one call; throws MethodNotFoundError, InvalidRequestError or the method's own error. */
export async function invoke(
  handlers: ReturnType<typeof createHandlers>,
  method: string,
  params: unknown,
  onProgress: (progress: Progress) => void,
): Promise<unknown> {
  if (!isRpcMethod(method)) throw new MethodNotFoundError(`method not found: ${method.slice(0, 100)}`);
  const parsed = rpcMethods[method].params.safeParse(params);
  if (!parsed.success) throw new InvalidRequestError(`invalid params: ${describeZodError(parsed.error)}`);
  const handler = handlers[method] as Handler<typeof method>;
  const result = await handler(parsed.data as never, onProgress);
  // Checked on arrival only (the ports' plain-results.ts says which methods and why).
  if (plainResultCheckOf(method)) return result;
  const checked = rpcMethods[method].result.safeParse(result);
  if (!checked.success) {
    throw new CedarStoreError(
      'INTERNAL',
      `the agent produced an invalid ${method} result: ${describeZodError(checked.error)}`,
    );
  }
  return checked.data;
}
