/**
 * The agent's methods (DESIGN.md §4), each validated against the shared schema before it
 * runs and its result checked against the same contract before it leaves, so the agent never
 * answers with something the controller would have to distrust.
 */
import { CedarStoreError, DeviceUnknownError, InvalidRequestError } from '@cedar-store/domain';
import {
  describeZodError,
  isRpcMethod,
  rpcMethods,
  type MediaDrive,
  type Progress,
  type RpcMethod,
  type RpcParams,
  type StagingArea,
} from '@cedar-store/ports';

export type AgentDevice = {
  id: string;
  backend: 'xorriso' | 'cdrecord' | 'growisofs' | 'virtual';
  mediaType: string;
  drive: MediaDrive;
};

export type AgentServices = {
  agentId: string;
  version: string;
  staging: StagingArea;
  devices: ReadonlyMap<string, AgentDevice>;
  exportImage(request: { days: string[]; label: string }): Promise<{ path: string; bytes: number }>;
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
  return {
    'agent.describe': async () => ({
      agentId: agent.agentId,
      version: agent.version,
      devices: [...agent.devices.values()].map(({ id, backend, mediaType }) => ({ id, backend, mediaType })),
    }),
    'staging.inspect': async ({ days }) => ({ days: await agent.staging.inspect(days) }),
    'staging.markStored': async ({ days }) => ({ days: await agent.staging.markStored(days) }),
    'media.status': ({ device }) => drive(device).status(),
    'media.estimate': async ({ device, days, newDisc }) => ({ bytes: await drive(device).estimate({ days, newDisc }) }),
    'media.write': ({ device, days, label, newDisc }, onProgress) =>
      drive(device).write({ days, label, newDisc }, onProgress),
    'media.blank': async ({ device }, onProgress) => {
      await drive(device).blank(onProgress);
      return {};
    },
    'media.initialize': async ({ device, label }) => {
      await drive(device).initialize(label);
      return {};
    },
    'media.verify': ({ device, days }, onProgress) => drive(device).verify({ days }, onProgress),
    'media.export': ({ days, label }) => agent.exportImage({ days, label }),
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
  const checked = rpcMethods[method].result.safeParse(result);
  if (!checked.success) {
    throw new CedarStoreError(
      'INTERNAL',
      `the agent produced an invalid ${method} result: ${describeZodError(checked.error)}`,
    );
  }
  return checked.data;
}
