// The controller's /metrics, after real runs, as Prometheus's own checker sees it: no lint
// problem, Node's process metrics under their standard names, and every alerting series of the
// device present (at 0 before its first run).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, startStack, type Stack } from '../support/controller-stack.js';
import { promtool } from '../support/promtool.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

async function scrape(): Promise<string> {
  const response = await fetch(`${stack.url}/metrics`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  expect(response.status).toBe(200);
  return response.text();
}

describe('the controller /metrics', { timeout: 60_000 }, () => {
  it('has the alerting series of each device before any run', async () => {
    const text = await scrape();
    expect(text).toContain('cedar_store_last_success_timestamp_seconds{device="burner-1/dvd0",action="store"} 0');
    expect(text).toContain('cedar_store_last_run_status{device="burner-1/dvd0",action="store"} 0');
  });

  it('passes promtool check metrics after a failed and a successful run', async () => {
    const failed = await stack.api.run({ action: 'store', today: '2026-11-26' });
    expect(failed.status).toBe('failed');
    await stack.stage('2026-11-26', { 'etc/hosts': '127.0.0.1 localhost\n' });
    const stored = await stack.api.run({ action: 'store', today: '2026-11-26' });
    expect(stored.status).toBe('succeeded');

    const text = await scrape();
    const finishedAt = Date.parse(stored.finishedAt!) / 1000;
    expect(text).toContain(
      `cedar_store_last_success_timestamp_seconds{device="burner-1/dvd0",action="store"} ${finishedAt}`,
    );
    expect(text).toContain('cedar_store_last_run_status{device="burner-1/dvd0",action="store"} 0');
    // The disc just written and verified, from the catalog: never audited, so it counts from that verify.
    expect(text).toMatch(/^cedar_store_disc_last_audit_timestamp_seconds\{disc="1",label="CEDAR BACKUP [^"]+"\} \d+/m);
    expect(text).toContain('cedar_store_audits_total{outcome="passed"} 0');
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);

    const check = await promtool(['check', 'metrics'], text);
    expect(check.output).toBe('');
    expect(check.code).toBe(0);
  });
});
