/**
 * What each agent last said about its devices. An agent that is down cannot describe
 * itself, yet after a controller restart its devices must still be listed (as offline) and
 * runs for them refused by name rather than as unknown.
 */
import { DeviceDescriptionSchema } from '@cedar-store/ports';
import type { DeviceDescription } from '@cedar-store/ports';
import type { Database, Statement } from 'better-sqlite3';

type AgentDevicesRow = { agent_id: string; devices: string };

export type SqliteDeviceMemoryOptions = { now?: () => Date };

export class SqliteDeviceMemory {
  private readonly now: () => Date;
  private readonly upsert: Statement<[{ agentId: string; devices: string; describedAt: string }]>;
  private readonly selectAll: Statement<[], AgentDevicesRow>;

  constructor(db: Database, options: SqliteDeviceMemoryOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.upsert = db.prepare(
      `INSERT INTO agent_devices (agent_id, devices, described_at) VALUES (@agentId, @devices, @describedAt)
       ON CONFLICT (agent_id) DO UPDATE SET devices = excluded.devices, described_at = excluded.described_at`,
    );
    this.selectAll = db.prepare('SELECT agent_id, devices FROM agent_devices ORDER BY agent_id');
  }

  /** Replaces what was remembered of this agent with what it describes now. */
  remember(agentId: string, devices: DeviceDescription[]): void {
    this.upsert.run({ agentId, devices: JSON.stringify(devices), describedAt: this.now().toISOString() });
  }

  /**
   * Every agent's last described devices. Each device is checked against today's schema: one
   * an older or newer cedar-store described differently is left out until its agent
   * describes it again, rather than reaching the controller in a shape it does not know.
   */
  recall(): Map<string, DeviceDescription[]> {
    const agents = new Map<string, DeviceDescription[]>();
    for (const row of this.selectAll.all()) agents.set(row.agent_id, readableDevices(row.devices));
    return agents;
  }
}

function readableDevices(text: string): DeviceDescription[] {
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(stored)) return [];
  return stored.flatMap((device) => {
    const parsed = DeviceDescriptionSchema.safeParse(device);
    return parsed.success ? [parsed.data] : [];
  });
}
