/** Devices: what is configured and connected, what each is doing, and what its media holds now. */
import type { DeviceDirectory } from '@cedar-store/ports';
import { Router } from 'express';
import type { RunCoordinator } from '../runs/run-coordinator.js';
import { DeviceParamsSchema, NoQuerySchema, type AgentView, type DeviceView } from './schemas.js';
import { parseRequest } from './validate.js';

export type DevicesRoutesDeps = {
  devices: DeviceDirectory;
  coordinator: RunCoordinator;
  /** The zone the controller's days are in; the host's when the configuration names none. */
  timeZone?: string | undefined;
};

export function devicesRoutes({ devices, coordinator, timeZone }: DevicesRoutesDeps): Router {
  const router = Router();
  // A dashboard shows times in this zone, named, so a user abroad reads the controller's night.
  const zone = timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;

  router.get('/api/v1/devices', async (req, res) => {
    parseRequest(NoQuerySchema, req.query, 'query');
    const [agents, infos] = await Promise.all([devices.agents(), devices.list()]);
    const agentViews: AgentView[] = agents.map((agent) => ({
      id: agent.id,
      state: agent.state,
      ...(agent.url !== undefined ? { url: agent.url } : {}),
      ...(agent.version !== undefined ? { version: agent.version } : {}),
      ...(agent.lastError !== undefined ? { lastError: agent.lastError } : {}),
      ...(agent.since !== undefined ? { since: agent.since } : {}),
    }));
    const deviceViews: DeviceView[] = infos.map((info) => {
      const activity = coordinator.activity(info.ref);
      return {
        ref: info.ref,
        agent: info.agentId,
        device: info.deviceId,
        backend: info.backend,
        mediaType: info.mediaType,
        connected: info.connected,
        activity: activity.activeRun !== undefined ? 'busy' : 'idle',
        ...(activity.activeRun !== undefined ? { activeRun: activity.activeRun } : {}),
        queued: activity.queuedRuns.length,
      };
    });
    res.json({ timeZone: zone, agents: agentViews, devices: deviceViews });
  });

  router.get('/api/v1/devices/:agent/:device/media', async (req, res) => {
    const { agent, device } = parseRequest(DeviceParamsSchema, req.params, 'path');
    parseRequest(NoQuerySchema, req.query, 'query');
    // Asks the drive itself: a user checking which disc is loaded wants now, not the last run's view.
    res.json(await devices.drive(`${agent}/${device}`).status());
  });

  return router;
}
