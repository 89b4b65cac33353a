/**
 * What the agent's `GET /metrics` shows, in Prometheus' text format: operations by method and
 * outcome with their durations, bytes written and verified, and the controllers connected.
 * Nothing secret: no token, path, label or day; method and outcome labels come from closed
 * lists, so a peer cannot grow the series.
 */
import type { ERROR_CODES } from '@cedar-store/domain';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** `succeeded`, or the failure's cedar-store code, or `unknown_method`. */
export type OperationOutcome = 'succeeded' | 'unknown_method' | (typeof ERROR_CODES)[number];

export class AgentMetrics {
  readonly registry = new Registry();
  private readonly operations: Counter<'method' | 'outcome'>;
  private readonly durations: Histogram<'method'>;
  private readonly bytesWritten: Counter;
  private readonly bytesVerified: Counter;
  private readonly connections: Gauge;

  constructor(private readonly methods: readonly string[]) {
    const registers = [this.registry];
    this.operations = new Counter({
      name: 'cedar_store_agent_operations_total',
      help: 'Requests answered, by method and outcome (succeeded, or the error code)',
      labelNames: ['method', 'outcome'],
      registers,
    });
    this.durations = new Histogram({
      name: 'cedar_store_agent_operation_duration_seconds',
      help: 'Time from a request to its answer, by method',
      labelNames: ['method'],
      buckets: [0.01, 0.1, 1, 10, 60, 600, 3600, 36000],
      registers,
    });
    this.bytesWritten = new Counter({
      name: 'cedar_store_agent_bytes_written_total',
      help: 'Bytes written to media by successful writes',
      registers,
    });
    this.bytesVerified = new Counter({
      name: 'cedar_store_agent_bytes_verified_total',
      help: 'Bytes read back from media and compared with the staging days',
      registers,
    });
    this.connections = new Gauge({
      name: 'cedar_store_agent_controller_connections',
      help: 'Controllers connected to the agent now',
      registers,
    });
    // Every method's series exists from the start, so an alert sees a 0 before the first call.
    for (const method of methods) {
      this.operations.labels(method, 'succeeded').inc(0);
      this.durations.zero({ method });
    }
  }

  /** A request's method as a label: one the agent serves, or `unknown`. */
  methodLabel(method: string): string {
    return this.methods.includes(method) ? method : 'unknown';
  }

  answered(method: string, outcome: OperationOutcome, seconds: number, result?: unknown): void {
    const label = this.methodLabel(method);
    this.operations.labels(label, outcome === 'unknown_method' ? outcome : outcome.toLowerCase()).inc();
    this.durations.labels(label).observe(seconds);
    if (outcome !== 'succeeded' || typeof result !== 'object' || result === null) return;
    const { bytesWritten, bytesCompared } = result as { bytesWritten?: unknown; bytesCompared?: unknown };
    if (typeof bytesWritten === 'number' && bytesWritten > 0) this.bytesWritten.inc(bytesWritten);
    if (typeof bytesCompared === 'number' && bytesCompared > 0) this.bytesVerified.inc(bytesCompared);
  }

  setConnections(count: number): void {
    this.connections.set(count);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
