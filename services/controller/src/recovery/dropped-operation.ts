/**
 * Waiting for a dropped operation. A journaled write, blank, initialize or verify whose
 * connection dropped may still be running on its agent, which journals how it ends under the
 * operation id. The call waits for the agent to be reachable again and asks its journal: it
 * gets the result when the operation succeeded, the agent's own error when it failed, and
 * AGENT_LOST when the agent cannot know (it restarted meanwhile), has no record, or is not
 * back in time. What is still unknown then is settled later by LostOperations.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentLostError, CedarStoreError, isErrorCode } from '@cedar-store/domain';
import type { OperationRecord } from '@cedar-store/ports';

/** One agent's operation journal, as the wait needs it. */
export type OperationJournal = {
  readonly agentId: string;
  /** The journal's records of these operations; fails AGENT_UNREACHABLE or AGENT_LOST while the agent is away. */
  operations(opIds: string[]): Promise<OperationRecord[]>;
  /** True once the controller stopped talking to the agent: nothing more can be learned now. */
  readonly stopped: boolean;
  /** Aborted when the controller stops, to cut the waits short. */
  readonly signal: AbortSignal;
};

export type DroppedOperation = {
  opId: string;
  /** What the call fails with when nothing better is learned (AGENT_LOST). */
  lost: CedarStoreError;
  /** The call's own time limit, from its start: an operation still running is not waited for past it. */
  startedAt: number;
  timeoutMs: number;
  /** The failure once that limit has passed. */
  timedOut: () => CedarStoreError;
  /** The failure when the agent is not back within the wait. */
  notBack: () => CedarStoreError;
};

export type DroppedOperationWait = {
  /** How long the agent may stay away; the wait restarts each time it answers. */
  waitMs: number;
  /** How often the journal is asked while the operation runs or the agent is away. */
  pollMs: number;
};

/** The journal's record of the operation once it succeeded; throws how it failed, or why it stays unknown. */
export async function awaitDroppedOperation(
  journal: OperationJournal,
  operation: DroppedOperation,
  wait: DroppedOperationWait,
): Promise<OperationRecord> {
  const { opId, lost } = operation;
  let deadline = Date.now() + wait.waitMs;
  for (;;) {
    let record: OperationRecord | undefined;
    try {
      [record] = await journal.operations([opId]);
      deadline = Date.now() + wait.waitMs;
    } catch (error) {
      const away = error instanceof CedarStoreError && ['AGENT_UNREACHABLE', 'AGENT_LOST'].includes(error.code);
      if (!away || journal.stopped) throw lost;
      if (Date.now() >= deadline) throw operation.notBack();
      await pause(journal, wait.pollMs);
      continue;
    }
    if (!record) {
      throw new AgentLostError(`${lost.message}. ${noJournalRecordMessage(journal.agentId, opId)}.`, { opId });
    }
    if (record.state === 'running') {
      // The call's own time limit still holds: an operation that hangs on the agent must not
      // keep the run `running` and its device's queue blocked for ever. The run ends
      // AGENT_LOST and the journal's outcome is recorded on it when it comes.
      if (Date.now() - operation.startedAt >= operation.timeoutMs) throw operation.timedOut();
      await pause(journal, wait.pollMs);
      if (journal.stopped) throw lost;
      continue;
    }
    if (record.state === 'succeeded') return record;
    const message = record.error?.message ?? 'no reason recorded';
    const learned = learnedFromJournal(journal.agentId, opId);
    if (record.state === 'unknown') {
      throw new AgentLostError(`${lost.message}. ${message} ${learned}`, { opId, outcome: 'unknown' });
    }
    const code = isErrorCode(record.error?.code) ? record.error.code : 'INTERNAL';
    throw new CedarStoreError(code, `${message} ${learned}`, { opId });
  }
}

function pause(journal: OperationJournal, ms: number): Promise<void> {
  return sleep(ms, undefined, { signal: journal.signal }).catch(() => undefined);
}

/** The journal answered after a dropped connection: what the run records. */
function learnedFromJournal(agentId: string, opId: string): string {
  return `(learned from agent ${agentId}'s operation journal after the connection dropped; operation ${opId})`;
}

function noJournalRecordMessage(agentId: string, opId: string): string {
  return (
    `agent ${agentId} has no record of operation ${opId} (an agent without an operation journal, or its journal ` +
    'was lost), so its outcome stays unknown'
  );
}
