/**
 * The real stack for fault tests: the compiled agent and controller as processes on
 * loopback, the agent's burner programs behind wrappers a test can hold (program-holds.ts),
 * and optionally a TCP proxy between controller and agent that a test can cut. Everything
 * a user would look at afterwards is at hand: runs through the HTTP API, the staging days'
 * indicators, the agent's journal through the wire, the image read back by xorriso itself.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Run, RunEvent } from '@cedar-store/ports';
import { ApiClient } from './controller-stack.js';
import {
  AGENT_BIN,
  buildServices,
  CLI_BIN,
  runNodeScript,
  startService,
  type ProcessResult,
  type ServiceProcess,
} from './processes.js';
import { ProgramHolds } from './program-holds.js';
import { RpcTestClient } from './rpc-client.js';
import { stageDayOnDisk, type StagedFile } from './staging-dir.js';
import { TcpProxy } from './tcp-proxy.js';
import { until } from './until.js';
import { waitForRunEvent } from './run-events.js';

export const FAULT_API_TOKEN = 'fault-api-token-0123456789abcdef';
export const FAULT_AGENT_TOKEN = 'fault-agent-token-0123456789abcdef';
/** The virtual device runs store on; `xdvd0` is an xorriso-backend device on an image file, for a held blank. */
export const DEVICE = 'burner-1/dvd0';

export type FaultStackOptions = { proxy?: boolean };

export class FaultStack {
  agent!: ServiceProcess;
  controller!: ServiceProcess;
  api!: ApiClient;
  proxy: TcpProxy | undefined;
  holds!: ProgramHolds;
  private agentPort = 0;
  private faults = 0;

  private constructor(readonly base: string) {}

  static async start(name: string, options: FaultStackOptions = {}): Promise<FaultStack> {
    await buildServices();
    const stack = new FaultStack(await mkdtemp(join(tmpdir(), `cedar-faults-${name}-`)));
    await mkdir(stack.stage, { recursive: true });
    await writeFile(join(stack.base, 'api.token'), FAULT_API_TOKEN, { mode: 0o600 });
    await writeFile(join(stack.base, 'agent.token'), FAULT_AGENT_TOKEN, { mode: 0o600 });
    stack.holds = await ProgramHolds.install(stack.base, ['xorriso', 'fuseiso']);
    await stack.writeAgentConfig();
    await stack.startAgent();
    // Restarts come back on the same port: the controller's configuration (or the proxy) names it.
    await stack.writeAgentConfig();
    if (options.proxy) stack.proxy = await TcpProxy.start({ host: '127.0.0.1', port: stack.agentPort });
    await stack.writeControllerConfig();
    await stack.startController();
    await stack.api.waitConnected(60_000);
    return stack;
  }

  get stage(): string {
    return join(this.base, 'stage');
  }

  /** The virtual disc of dvd0. */
  get image(): string {
    return join(this.base, 'dvd0.iso');
  }

  get xorrisoImage(): string {
    return join(this.base, 'xdvd0.iso');
  }

  /** Faults this stack injected (kills, cuts), for the suite's report. */
  get injected(): number {
    return this.faults;
  }

  /** The agent's working directory (its journal, its manifests). */
  get workingDir(): string {
    return join(this.base, 'work');
  }

  stored(day: string): boolean {
    return existsSync(join(this.stage, ...day.split('-'), 'cback.store'));
  }

  stageDay(day: string, files: Record<string, StagedFile>): Promise<string> {
    return stageDayOnDisk(this.stage, day, files);
  }

  async startAgent(): Promise<void> {
    this.agent = await startService(AGENT_BIN, ['--config', join(this.base, 'agent.yaml')], 'agent listening', {
      PATH: this.holds.path(),
    });
    this.agentPort = this.agent.port;
  }

  async startController(): Promise<void> {
    this.controller = await startService(
      CLI_BIN,
      ['controller', '--config', join(this.base, 'controller.yaml')],
      'controller listening',
    );
    this.api = new ApiClient(`http://127.0.0.1:${this.controller.port}`, FAULT_API_TOKEN);
  }

  async killAgent(): Promise<void> {
    this.faults++;
    this.agent.child.kill('SIGKILL');
    await this.agent.exited;
  }

  async killController(): Promise<void> {
    this.faults++;
    this.controller.child.kill('SIGKILL');
    await this.controller.exited;
  }

  cutNetwork(): void {
    this.faults++;
    this.proxy!.disconnect();
  }

  /** A client of the agent's wire, straight to the agent (never through the proxy). */
  rpc(): Promise<RpcTestClient> {
    return RpcTestClient.connect(`ws://127.0.0.1:${this.agentPort}/rpc`, FAULT_AGENT_TOKEN);
  }

  /** What the agent's journal says of one operation, asked over the wire. */
  async operation(opId: string): Promise<{ state: string; error?: { code: string; message: string } } | undefined> {
    const client = await this.rpc();
    try {
      const reply = await client.call('operations.get', { opIds: [opId] });
      if (reply.error) throw new Error(`operations.get failed: ${reply.error.message}`);
      return (reply.result as { operations: Array<{ state: string }> }).operations[0];
    } finally {
      await client.close();
    }
  }

  /**
   * Waits until the agent's journal file lists the held program's process group under the
   * operation. A hold says the program runs; the agent records it a moment later (a write, an
   * fsync and a rename on its own event loop, slow on a loaded disk). A kill between the two
   * leaves a journal that does not know the program, so a restarted agent cannot tell the device
   * is in use: not the case these tests are about. An operation may list earlier programs (a
   * status read), so the held one's group is what is waited for.
   */
  async programRecorded(opId: string, pgid: number, timeoutMs = 30_000): Promise<void> {
    // The journal's own file for the operation (the agent's journal-files.ts names it so).
    const file = join(this.workingDir, 'journal', `${opId}.json`);
    const lists = async (): Promise<boolean> => {
      const entry = await readFile(file, 'utf8').then(
        (text) => JSON.parse(text) as { groups?: Array<{ pgid?: number }> },
        () => undefined,
      );
      return entry?.groups?.some((group) => group.pgid === pgid) ?? false;
    };
    await until(lists, `the journal records process group ${pgid} under ${opId}`, timeoutMs);
  }

  /** Polls the agent's journal until the operation is no longer running, and returns its record. */
  async operationSettled(opId: string, timeoutMs = 90_000): Promise<{ state: string; error?: { code: string } }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const record = await this.operation(opId);
      if (record && record.state !== 'running') return record;
      if (Date.now() > deadline) throw new Error(`operation ${opId} still ${record?.state ?? 'absent'}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Polls the run until `done` holds, and returns it. */
  async runUntil(id: string, done: (run: Run) => boolean, timeoutMs = 90_000): Promise<Run> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await this.api.get(id);
      if (done(run)) return run;
      if (Date.now() > deadline) throw new Error(`run ${id} never got there: ${JSON.stringify(run)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Follows a run's event stream (SSE) until an event matches, and returns it. */
  waitForEvent(runId: string, match: (event: RunEvent) => boolean): Promise<RunEvent> {
    return waitForRunEvent({ url: this.api.url, token: FAULT_API_TOKEN }, runId, match);
  }

  /** Runs the controller still calls running: after a restart, there must be none. */
  async runningRuns(): Promise<Run[]> {
    const response = await this.api.request('GET', '/api/v1/runs?status=running');
    return (response.body as { runs: Run[] }).runs;
  }

  cli(args: string[]): Promise<ProcessResult> {
    return runNodeScript(CLI_BIN, args, { CEDAR_STORE_URL: this.api.url, CEDAR_STORE_TOKEN: FAULT_API_TOKEN });
  }

  async stop(): Promise<void> {
    for (const service of [this.controller, this.agent]) {
      if (service && service.child.exitCode === null && service.child.signalCode === null) {
        service.child.kill('SIGTERM');
        await service.exited;
      }
    }
    await this.proxy?.close();
    await rm(this.base, { recursive: true, force: true });
  }

  private async writeAgentConfig(): Promise<void> {
    await writeFile(
      join(this.base, 'agent.yaml'),
      [
        'agentId: burner-1',
        `listen: { host: 127.0.0.1, port: ${this.agentPort} }`,
        `auth: { tokenFile: ${join(this.base, 'agent.token')} }`,
        `stagingRoot: ${this.stage}`,
        `workingDir: ${this.workingDir}`,
        'devices:',
        // fuseiso, not auto: a held verify must be held in the same program every time.
        `  - { id: dvd0, backend: virtual, path: ${this.image}, mediaType: dvd+rw, mountMethod: fuseiso }`,
        `  - { id: xdvd0, backend: xorriso, path: ${this.xorrisoImage}, mediaType: dvd+rw, noEject: true }`,
        '',
      ].join('\n'),
    );
  }

  private async writeControllerConfig(): Promise<void> {
    const port = this.proxy?.port ?? this.agentPort;
    await writeFile(
      join(this.base, 'controller.yaml'),
      [
        'listen: { host: 127.0.0.1, port: 0 }',
        `auth: { tokenFile: ${join(this.base, 'api.token')} }`,
        `database: ${join(this.base, 'controller.db')}`,
        'timeZone: UTC',
        'agents:',
        `  - { id: burner-1, url: "ws://127.0.0.1:${port}/rpc", tokenFile: ${join(this.base, 'agent.token')} }`,
        '',
      ].join('\n'),
    );
  }
}
