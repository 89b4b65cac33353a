/**
 * What each agent last said about its devices. An agent that is down cannot describe
 * itself, yet after a controller restart its devices must still be listed (as offline) and
 * runs for them refused by name rather than as unknown. While the database refuses writes, the
 * newest description is kept in memory and saved once it takes them again.
 */
import { DeviceDescriptionSchema } from '@cedar-store/ports';
import type { DeviceDescription } from '@cedar-store/ports';
import type { Database, Statement } from 'better-sqlite3';
import { DatabaseAvailability } from './database-availability.js';

type AgentDevicesRow = { agent_id: string; devices: string };

export type SqliteDeviceMemoryOptions = { now?: () => Date; availability?: DatabaseAvailability };

export class SqliteDeviceMemory {
  private readonly now: () => Date;
  private readonly upsert: Statement<[{ agentId: string; devices: string; describedAt: string }]>;
  private readonly selectAll: Statement<[], AgentDevicesRow>;
  private readonly availability: DatabaseAvailability;
  private readonly kept = new Map<string, DeviceDescription[]>();

  constructor(db: Database, options: SqliteDeviceMemoryOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.availability = options.availability ?? new DatabaseAvailability(db, { path: db.name });
    this.upsert = db.prepare(
      `INSERT INTO agent_devices (agent_id, devices, described_at) VALUES (@agentId, @devices, @describedAt)
       ON CONFLICT (agent_id) DO UPDATE SET devices = excluded.devices, described_at = excluded.described_at`,
    );
    this.selectAll = db.prepare('SELECT agent_id, devices FROM agent_devices ORDER BY agent_id');
  }

  /** Replaces what was remembered of this agent with what it describes now. */
  remember(agentId: string, devices: DeviceDescription[]): void {
    const row = { agentId, devices: JSON.stringify(devices), describedAt: this.now().toISOString() };
    const write = (): void => void this.upsert.run(row);
    if (this.availability.tryNow(write)) return;
    const kept = structuredClone(devices);
    this.availability.keep({
      key: `agent:${agentId}`,
      apply: write,
      saved: () => {
        if (this.kept.get(agentId) === kept) this.kept.delete(agentId);
      },
    });
    this.kept.set(agentId, kept);
  }

  /**
   * Every agent's last described devices. Each device is checked against today's schema: one
   * an older or newer cedar-store described differently is left out until its agent
   * describes it again, rather than reaching the controller in a shape it does not know.
   */
  recall(): Map<string, DeviceDescription[]> {
    const agents = new Map<string, DeviceDescription[]>();
    for (const row of this.selectAll.all()) agents.set(row.agent_id, readableDevices(row.devices));
    for (const [agentId, devices] of this.kept) agents.set(agentId, structuredClone(devices));
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
