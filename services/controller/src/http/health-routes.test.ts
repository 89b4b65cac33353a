import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AUTH, TODAY, createApiFixture } from '../testing/api-fixture.js';

describe('GET /readyz', () => {
  it('answers 200 with its checks when ready, 503 when not', async () => {
    const f = createApiFixture();
    const ready = await request(f.app).get('/readyz').set(AUTH);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ ready: true, checks: { database: true, config: true } });

    f.setReadiness({
      ready: false,
      checks: { database: 'SQLITE_CANTOPEN: /var/lib/cedar-store/controller.db', config: true },
    });
    const notReady = await request(f.app).get('/readyz').set(AUTH);
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks.database).toMatch(/SQLITE_CANTOPEN/);
  });
});

describe('GET /metrics', () => {
  it('exposes run outcomes, bytes, step durations, agents and queues in Prometheus format', async () => {
    const f = createApiFixture();
    f.device().staging.addDay(TODAY, { a: 'some backup data' });
    await f.coordinator.submit({ action: 'store' });
    await f.coordinator.drain();

    const res = await request(f.app).get('/metrics').set(AUTH);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain('cedar_store_runs_total{action="store",status="succeeded"} 1');
    expect(res.text).toMatch(/cedar_store_bytes_written_total\{device="burner-1\/dvd0"\} [1-9]\d*/);
    expect(res.text).toMatch(/cedar_store_bytes_verified_total\{device="burner-1\/dvd0"\} [1-9]\d*/);
    expect(res.text).toContain('cedar_store_step_duration_seconds_count{step="write"} 1');
    expect(res.text).toContain('cedar_store_agent_connected{agent="burner-1"} 1');
    expect(res.text).toContain('cedar_store_runs_active{status="queued"} 0');
  });
});
