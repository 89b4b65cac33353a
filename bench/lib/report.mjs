/**
 * The machine the bench ran on, and the table of medians against the issue's targets
 * (docs/performance.md#targets): each line says PASS or MISS, or INFO where there is no target.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { median } from './measure.mjs';

export function machine() {
  const version = (command, args) => {
    try {
      return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
        .toString()
        .split('\n')[0]
        .trim();
    } catch {
      return 'not installed';
    }
  };
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    memAvailableGiB: Math.round((Number(/MemAvailable:\s+(\d+)/.exec(meminfo)?.[1] ?? 0) / 2 ** 20) * 10) / 10,
    kernel: release(),
    node: process.version,
    xorriso: version('xorriso', ['-version']),
    fuseiso: version('dpkg-query', ['-W', '-f=${Version}', 'fuseiso']),
  };
}

export const loadAverage = () => loadavg().map((value) => Math.round(value * 100) / 100);

const MiB = 2 ** 20;
const seconds = (ms) => (ms === null || ms === undefined ? '–' : `${(ms / 1000).toFixed(2)} s`);
const mib = (bytes) => (bytes === null || bytes === undefined ? '–' : `${(bytes / MiB).toFixed(1)} MiB`);
const percent = (value) => (value === null || value === undefined ? '–' : `${(value * 100).toFixed(3)} %`);
const ms = (value) => (value === null || value === undefined ? '–' : `${value.toFixed(1)} ms`);

/** A table line: what, the measured value, the reference it is compared with, and the verdict. */
function line(name, value, reference, target, pass) {
  return { name, value, reference, target, verdict: pass === null ? 'INFO' : pass ? 'PASS' : 'MISS' };
}

/**
 * `×1.08–1.31, raw 1.62–2.52 s`: the range of each round's own ratio and of the raw command's
 * time over the rounds, so a reader sees how much the machine moved under the medians.
 */
const spread = (samples, ourKey, rawKey) => {
  const rounds = (samples ?? []).filter((s) => typeof s[ourKey] === 'number' && typeof s[rawKey] === 'number');
  if (rounds.length < 2) return '';
  const ratios = rounds.map((s) => s[ourKey] / s[rawKey]);
  const raws = rounds.map((s) => s[rawKey]);
  return (
    ` (×${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}, ` +
    `raw ${(Math.min(...raws) / 1000).toFixed(2)}–${(Math.max(...raws) / 1000).toFixed(2)} s)`
  );
};

/** The median of the rounds' own ratios: each round's pair ran back to back, under the same load. */
const ratioOf = (samples, ourKey, rawKey, fallbackOurs, fallbackRaw) => {
  const ratios = (samples ?? [])
    .filter((s) => typeof s[ourKey] === 'number' && s[rawKey] > 0)
    .map((s) => s[ourKey] / s[rawKey]);
  if (ratios.length === 0) return fallbackOurs !== null && fallbackRaw ? fallbackOurs / fallbackRaw : null;
  return median(ratios);
};

/** A line of our median against a raw command's; without a `limit` it is an info line. */
const ratioLine = (name, set, ourKey, rawKey, limit) => {
  const ours = set.medians[ourKey];
  const raw = set.medians[rawKey];
  const ratio = ratioOf(set.samples, ourKey, rawKey, ours, raw);
  return line(
    name,
    `${seconds(ours)} vs raw ${seconds(raw)}`,
    ratio === null ? '–' : `×${ratio.toFixed(2)}${spread(set.samples, ourKey, rawKey)}`,
    limit === undefined ? 'info' : `≤ ${limit.toFixed(2)}`,
    limit === undefined ? null : ratio !== null && ratio <= limit,
  );
};

/**
 * The targets of docs/performance.md#targets: store / raw on days of real size and on the
 * many-small-files day, verify / raw, peak RSS of both services on every day (the
 * many-small-files day included), the fixed cost of a one-file store.
 */
export const TARGETS = { store: 1.1, storeSmallFiles: 1.3, verify: 0.6, rssBytes: 150 * 2 ** 20, fixedCostMs: 350 };

/** The table's lines from the bench's medians (see run.mjs for what each holds). */
export function tableLines(results) {
  const lines = [];
  for (const set of results.sets) {
    const m = set.medians;
    const storeLimit = set.name === 'small' ? TARGETS.storeSmallFiles : TARGETS.store;
    lines.push(ratioLine(`store ${set.label}: CLI / raw -commit`, set, 'cliStoreMs', 'rawStoreMs', storeLimit));
    if (typeof m.rawStoreHashedMs === 'number') {
      // The same work with raw tools: the write and, beside it, the SHA-256 of the day a store without read-back records.
      lines.push(
        ratioLine(`store ${set.label}: CLI / raw -commit beside openssl sha256`, set, 'cliStoreMs', 'rawStoreHashedMs'),
      );
    }
    if (typeof m.rawStoreTickMs === 'number') {
      // The raw command woken every 0.1 s, as the agent runs xorriso: what is left once the second's rounding is gone.
      lines.push(
        ratioLine(
          `store ${set.label}: CLI / raw -commit waking every 0.1 s, as the agent's`,
          set,
          'cliStoreMs',
          'rawStoreTickMs',
        ),
      );
    }
    if (m.rawStoreMd5Ms !== undefined) {
      lines.push(
        line(
          `raw -commit ${set.label} with -md5 on (xorriso backend)`,
          `${seconds(m.rawStoreMd5Ms)} vs ${seconds(m.rawStoreMs)}`,
          `×${(m.rawStoreMd5Ms / m.rawStoreMs).toFixed(2)}`,
          'info',
          null,
        ),
      );
    }
    lines.push(
      ratioLine(
        `verify ${set.label} (${set.verifyMethod}): CLI / raw -compare_r`,
        set,
        'cliVerifyMs',
        'rawVerifyMs',
        TARGETS.verify,
      ),
    );
    lines.push(
      line(
        `store ${set.label}: outside the agent's write`,
        seconds(m.outsideWriteMs),
        `write step ${seconds(m.writeStepMs)}`,
        'info',
        null,
      ),
    );
    if (m.xorrisoCpuMs !== undefined && m.rawStoreCpuMs !== undefined) {
      lines.push(
        line(
          `store ${set.label}: CPU of xorriso / agent / controller`,
          `${seconds(m.xorrisoCpuMs)} / ${seconds(m.agentCpuMs)} / ${seconds(m.controllerCpuMs)}`,
          `raw xorriso ${seconds(m.rawStoreCpuMs)}`,
          'info',
          null,
        ),
      );
    }
    if (typeof m.xorrisoWaitMs === 'number' && typeof m.rawXorrisoWaitMs === 'number') {
      // Time xorriso's threads were runnable but had no CPU: what the work beside the write costs it.
      lines.push(
        line(
          `store ${set.label}: xorriso waiting for a CPU`,
          seconds(m.xorrisoWaitMs),
          `raw xorriso ${seconds(m.rawXorrisoWaitMs)}; xorriso ran ${seconds(m.xorrisoLifeMs)} of the write`,
          'info',
          null,
        ),
      );
    }
    if (set.estimateError !== null && set.estimateError !== undefined) {
      if (set.estimateKind === 'bound') {
        // The fit check used an upper bound (the image fitted with room to spare): it must not be below the image.
        lines.push(
          line(
            `estimate ${set.label}: upper bound over the image`,
            `+${percent(set.boundOver)}`,
            'no xorriso measurement before the write',
            '≥ image',
            set.boundOver >= 0,
          ),
        );
      } else {
        lines.push(
          line(
            `estimate ${set.label}: |estimate − image| / image`,
            percent(set.estimateError),
            `vs bytesWritten ${percent(set.estimateErrorWritten)}`,
            '≤ 0.500 %',
            set.estimateError <= 0.005,
          ),
        );
      }
    }
    if (set.rss) {
      for (const service of ['agent', 'controller']) {
        lines.push(
          line(
            `peak RSS ${set.label}: ${service}`,
            mib(set.rss[service]),
            'VmHWM',
            '≤ 150 MiB',
            set.rss[service] <= TARGETS.rssBytes,
          ),
        );
      }
    }
    lines.push(
      line(
        `bytes written to workingDir (no temp image), store ${set.label}`,
        `${set.tempBytes} B`,
        `journal+manifest ${set.journalBytes} B; agent+xorriso wrote ${mib(set.agentWriteBytes)}, image ${mib(set.imageBytes)}`,
        '0 B',
        set.tempBytes === 0,
      ),
    );
  }
  if (results.fixedCostMs !== undefined) {
    lines.push(
      line(
        'fixed cost: CLI store of a one-file day',
        seconds(results.fixedCostMs),
        results.fixedCostRange ?? 'wall time',
        '≤ 0.35 s',
        results.fixedCostMs <= TARGETS.fixedCostMs,
      ),
    );
  }
  if (results.fixedCostCronMs !== undefined) {
    lines.push(
      line(
        `fixed cost, in cron's environment (PATH and HOME only${results.extraCaCerts ? '; the shell sets NODE_EXTRA_CA_CERTS' : ''})`,
        seconds(results.fixedCostCronMs),
        results.fixedCostCronRange ?? 'wall time',
        'info',
        null,
      ),
    );
  }
  const standard = results.sets.find((set) => set.name === 'standard');
  const big = results.sets.find((set) => set.name === 'big');
  if (standard?.rss && big?.rss) {
    for (const service of ['agent', 'controller']) {
      const ratio = big.rss[service] / standard.rss[service];
      lines.push(
        line(
          `peak RSS ${service}: 4 GiB / 1 GiB`,
          `×${ratio.toFixed(3)}`,
          `${mib(big.rss[service])} / ${mib(standard.rss[service])}`,
          '0.90–1.10',
          Math.abs(ratio - 1) <= 0.1,
        ),
      );
    }
  }
  if (results.api) {
    for (const [name, api] of Object.entries(results.api)) {
      lines.push(
        line(
          `API ${name} (${api.requests} requests, ${api.concurrency} in flight)`,
          `p50 ${ms(api.p50Ms)}  p99 ${ms(api.p99Ms)}`,
          `${Math.round(api.perSecond)}/s ${Object.entries(api.statuses)
            .map(([status, count]) => `${status}×${count}`)
            .join(' ')}`,
          'info',
          null,
        ),
      );
    }
  }
  return lines;
}

export function formatTable(results) {
  const rows = tableLines(results);
  const header = ['measurement', 'median', 'reference', 'target', ''];
  const cells = rows.map((row) => [row.name, row.value, row.reference, row.target, row.verdict]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((cell) => cell[i].length)));
  const format = (cell) => `| ${cell.map((text, i) => text.padEnd(widths[i])).join(' | ')} |`;
  const m = results.machine;
  return [
    format(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.map(format),
    '',
    `machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, Linux ${m.kernel}, node ${m.node}, ${m.xorriso}`,
    `storage: ${results.storage ?? 'disk'}; rounds: ${results.rounds} (interleaved, medians shown); ` +
      `load average before ${results.loadBefore.join(' ')}, ` +
      `after ${results.loadAfter.join(' ')}; took ${Math.round(results.durationMs / 1000)} s`,
  ].join('\n');
}
