/**
 * The API load, run as its own process so its work does not share the bench's event loop:
 * `requests` HTTP calls with at most `concurrency` in flight, each one's latency measured from
 * send to the end of its body. Prints one JSON line: latencies' p50/p99, throughput, statuses.
 *
 *   node api-load.mjs '{"url":"http://127.0.0.1:7700/api/v1/runs","method":"GET","token":"…","requests":2000,"concurrency":16}'
 */
import { percentile } from './measure.mjs';

const spec = JSON.parse(process.argv[2]);
const headers = { authorization: `Bearer ${spec.token}` };
if (spec.body !== undefined) headers['content-type'] = 'application/json';
const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);

const latencies = [];
const statuses = {};
let next = 0;

async function worker() {
  while (next < spec.requests) {
    next++;
    const started = performance.now();
    let status;
    try {
      const response = await fetch(spec.url, { method: spec.method, headers, body: payload });
      await response.arrayBuffer();
      status = String(response.status);
    } catch (error) {
      status = error?.cause?.code ?? 'error';
    }
    latencies.push(performance.now() - started);
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
}

// A few warm-up calls first: connection setup and the first JIT passes are not what is measured.
for (let i = 0; i < Math.min(20, spec.requests); i++) {
  await fetch(spec.url, { method: spec.method, headers, body: payload })
    .then((r) => r.arrayBuffer())
    .catch(() => {});
}
const started = performance.now();
await Promise.all(Array.from({ length: spec.concurrency }, worker));
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({
    requests: latencies.length,
    concurrency: spec.concurrency,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: Math.max(...latencies),
    perSecond: latencies.length / seconds,
    statuses,
  })}\n`,
);
