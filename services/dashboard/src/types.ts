/**
 * The answers of the /api/v1 routes the dashboard reads, built from the wire types in
 * libs/ports (type imports only: no zod in the bundle).
 */
import type { AgentState, DeviceInfo, FoundFile, ListedDisc, Run } from '@cedar-store/ports';

export type AgentView = {
  id: string;
  state: AgentState;
  url?: string;
  version?: string;
  lastError?: string;
  since?: string;
};

export type DeviceView = {
  ref: DeviceInfo['ref'];
  agent: string;
  device: string;
  backend: DeviceInfo['backend'];
  mediaType: DeviceInfo['mediaType'];
  connected: boolean;
  activity: 'busy' | 'idle';
  activeRun?: string;
  queued: number;
};

export type DevicesAnswer = { timeZone?: string; agents: AgentView[]; devices: DeviceView[] };
export type RunsAnswer = { runs: Run[] };
export type MediaAnswer = { discs: ListedDisc[] };
export type FilesAnswer = { files: FoundFile[]; nextCursor: string | null };
