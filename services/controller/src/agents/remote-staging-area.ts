/** The staging root of an agent's host, reached over the wire. */
import type { DayStamp } from '@cedar-store/domain';
import type { StagingArea, StagingDayInfo } from '@cedar-store/ports';
import type { AgentClient } from './agent-client.js';

export class RemoteStagingArea implements StagingArea {
  constructor(private readonly client: AgentClient) {}

  async inspect(days: DayStamp[]): Promise<StagingDayInfo[]> {
    return (await this.client.call('staging.inspect', { days })).days;
  }

  async markStored(days: DayStamp[]): Promise<DayStamp[]> {
    return (await this.client.call('staging.markStored', { days })).days;
  }
}
