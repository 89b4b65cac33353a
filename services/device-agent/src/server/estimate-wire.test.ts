// media.estimate answers with its stamp only when asked: an older controller, whose result
// schema is `{ bytes }` and strict, keeps working with this agent.
import { ByteCountSchema, type MediaDrive } from '@cedar-store/ports';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHandlers, invoke, type AgentServices } from './rpc-handlers.js';

const drive = { estimate: async () => ({ bytes: 4096, stamp: 'a'.repeat(64) }) } as unknown as MediaDrive;
const services = {
  agentId: 'burner-1',
  version: 'test',
  staging: {},
  devices: new Map([['dvd0', { id: 'dvd0', backend: 'virtual', mediaType: 'dvd+rw', drive }]]),
  exportImage: async () => ({ path: '/x.iso', bytes: 0 }),
} as unknown as AgentServices;
const params = { device: 'dvd0', days: ['2026-11-23'], newDisc: true };

describe('media.estimate on the wire', () => {
  it('answers `{ bytes }` alone to a controller that does not ask for the stamp', async () => {
    const result = await invoke(createHandlers(services), 'media.estimate', params, () => undefined);
    expect(result).toEqual({ bytes: 4096 });
    expect(z.strictObject({ bytes: ByteCountSchema }).safeParse(result).success).toBe(true);
  });

  it('adds the stamp for a controller that sends the estimate back with its write', async () => {
    const result = await invoke(
      createHandlers(services),
      'media.estimate',
      { ...params, stamped: true },
      () => undefined,
    );
    expect(result).toEqual({ bytes: 4096, stamp: 'a'.repeat(64) });
  });
});
