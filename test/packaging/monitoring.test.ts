// deploy/prometheus/alerts.yml and deploy/grafana/cedar-store.json against Prometheus's own
// checker and the controller's real metrics: the rules load, fire on the series the
// controller exposes (promtool test rules), and name no metric the controller does not have.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControllerConfigSchema, ControllerMetrics, ObservableRunRepository } from '@cedar-store/controller';
import { InMemoryDeviceDirectory, InMemoryRunRepository } from '@cedar-store/ports/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { promtool } from '../support/promtool.js';
import { DEPLOY, ROOT } from './support/deploy-files.js';

const RULES = join(DEPLOY, 'prometheus/alerts.yml');
const DASHBOARD = join(DEPLOY, 'grafana/cedar-store.json');
const DOCS_PAGE = join(ROOT, 'docs/alerts-and-notifications.md');

type Dashboard = {
  uid: string;
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  templating: { list: Array<{ name: string }> };
};

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'cedar-monitoring-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Every metric the controller exposes (a real ControllerMetrics, process metrics included). */
async function controllerMetricNames(): Promise<Set<string>> {
  const metrics = new ControllerMetrics(
    new ObservableRunRepository(new InMemoryRunRepository()),
    new InMemoryDeviceDirectory([]),
  );
  const text = await metrics.render();
  metrics.close();
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

/** Metric names in a PromQL expression: identifiers of the project's and Node's families. */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b(?:cedar_store|process|nodejs)_[a-z0-9_]+\b/g)].map((match) => match[0]);
}

async function alertExpressions(): Promise<Array<{ alert: string; expr: string }>> {
  const rules = parse(await readFile(RULES, 'utf8')) as {
    groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
  };
  return rules.groups.flatMap((group) => group.rules);
}

describe('deploy/prometheus/alerts.yml', () => {
  it('passes promtool check rules', async () => {
    const check = await promtool(['check', 'rules', RULES]);
    expect(check.output).toContain('SUCCESS: 6 rules found');
    expect(check.code).toBe(0);
  });

  it('names only metrics the controller exposes', async () => {
    const known = await controllerMetricNames();
    for (const { alert, expr } of await alertExpressions()) {
      expect(metricsIn(expr).length, alert).toBeGreaterThan(0);
      for (const name of metricsIn(expr)) expect(known, `${alert}: ${name}`).toContain(name);
    }
  });

  it('fires on the series a controller exposes, and not before their time (promtool test rules)', async () => {
    const device = 'burner-1/dvd0';
    const other = 'burner-1/cd0';
    const firing = (alertname: string, evalTime: string, labels: Array<Record<string, string>>) => ({
      eval_time: evalTime,
      alertname,
      exp_alerts: labels.map((exp_labels) => ({ exp_labels })),
    });
    const tests = {
      // The annotations are checked by promtool check rules; here, which alerts fire and when.
      rule_files: [await rulesWithoutAnnotations()],
      evaluation_interval: '1m',
      tests: [
        {
          // dvd0's last store and verify failed, cd0's disc is beyond the limit; agent burner-1
          // has been down for 15 minutes at 2 h, burner-2 for 5.
          interval: '1m',
          input_series: [
            { series: `cedar_store_last_run_status{device="${device}",action="store"}`, values: '0x60 1x60' },
            { series: `cedar_store_last_run_status{device="${device}",action="verify"}`, values: '1x120' },
            { series: `cedar_store_last_run_status{device="${other}",action="store"}`, values: '0x120' },
            { series: 'cedar_store_agent_connected{agent="burner-1"}', values: '1x105 0x15' },
            { series: 'cedar_store_agent_connected{agent="burner-2"}', values: '1x115 0x5' },
            { series: `cedar_store_capacity_limit_exceeded{device="${device}"}`, values: '0x120' },
            { series: `cedar_store_capacity_limit_exceeded{device="${other}"}`, values: '1x120' },
          ],
          alert_rule_test: [
            firing('CedarStoreLastStoreFailed', '30m', []),
            firing('CedarStoreLastStoreFailed', '120m', [{ severity: 'critical', device, action: 'store' }]),
            firing('CedarStoreVerifyFailed', '120m', [{ severity: 'critical', device, action: 'verify' }]),
            firing('CedarStoreAgentDisconnected', '120m', [{ severity: 'warning', agent: 'burner-1' }]),
            firing('CedarStoreDiscOverCapacityLimit', '120m', [{ severity: 'warning', device: other }]),
          ],
        },
        {
          // dvd0 never stored (0); cd0 stored at 2 h (7200). Prometheus's clock starts at 0.
          interval: '1m',
          input_series: [
            {
              series: `cedar_store_last_success_timestamp_seconds{device="${device}",action="store"}`,
              values: '0x1800',
            },
            {
              series: `cedar_store_last_success_timestamp_seconds{device="${other}",action="store"}`,
              values: '7200x1800',
            },
          ],
          alert_rule_test: [
            firing('CedarStoreNoSuccessfulStore', '26h', []),
            firing('CedarStoreNoSuccessfulStore', '27h', [{ severity: 'critical', device, action: 'store' }]),
            firing('CedarStoreNoSuccessfulStore', '29h', [
              { severity: 'critical', device, action: 'store' },
              { severity: 'critical', device: other, action: 'store' },
            ]),
          ],
        },
      ],
    };
    const file = join(scratch, 'alerts.test.yml');
    await writeFile(file, stringify(tests));
    const result = await promtool(['test', 'rules', file]);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it(
    'fires for a disc not audited for 180 days, and not before (promtool test rules, 6-hourly)',
    { timeout: 30_000 },
    async () => {
      const firing = (evalTime: string, labels: Array<Record<string, string>>) => ({
        eval_time: evalTime,
        alertname: 'CedarStoreDiscNotAudited',
        exp_alerts: labels.map((exp_labels) => ({ exp_labels })),
      });
      // Half a year of minutes is too long a test: this rule is evaluated every 6 hours.
      const tests = {
        rule_files: [await rulesWithoutAnnotations()],
        evaluation_interval: '6h',
        tests: [
          {
            // Disc 1 was last audited at 0 (or, never audited, verified then); disc 2 at 100 days.
            interval: '6h',
            input_series: [
              { series: 'cedar_store_disc_last_audit_timestamp_seconds{disc="1",label="A"}', values: '0x800' },
              {
                series: 'cedar_store_disc_last_audit_timestamp_seconds{disc="2",label="B"}',
                values: `${String(100 * 86400)}x800`,
              },
            ],
            alert_rule_test: [firing('180d', []), firing('181d', [{ severity: 'warning', disc: '1', label: 'A' }])],
          },
        ],
      };
      const file = join(scratch, 'alerts-audit.test.yml');
      await writeFile(file, stringify(tests));
      const result = await promtool(['test', 'rules', file]);
      expect(result.output).toContain('SUCCESS');
      expect(result.code).toBe(0);
    },
  );
});

async function rulesWithoutAnnotations(): Promise<string> {
  const rules = parse(await readFile(RULES, 'utf8')) as { groups: Array<{ rules: Array<Record<string, unknown>> }> };
  for (const group of rules.groups) for (const rule of group.rules) delete rule.annotations;
  const file = join(scratch, 'alerts-without-annotations.yml');
  await writeFile(file, stringify(rules));
  return file;
}

describe('deploy/grafana/cedar-store.json', () => {
  it('is a dashboard whose queries are valid PromQL over the controller’s metrics', async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as Dashboard;
    expect(dashboard.uid).toBe('cedar-store');
    expect(dashboard.templating.list.map((variable) => variable.name)).toEqual(['datasource', 'job', 'device']);
    const known = await controllerMetricNames();
    const expressions = dashboard.panels.flatMap((panel) =>
      panel.targets.map((target) => ({ panel: panel.title, expr: target.expr })),
    );
    expect(expressions.length).toBeGreaterThan(5);
    for (const { panel, expr } of expressions) {
      for (const name of metricsIn(expr)) expect(known, `${panel}: ${name}`).toContain(name);
    }
    // promtool parses each query as a recording rule, with Grafana's variables as a regex.
    const file = join(scratch, 'dashboard-queries.yml');
    const rules = expressions.map(({ expr }, index) => ({
      record: `dashboard:query_${index}`,
      expr: expr.replaceAll(/\$(device|job)/g, '.*'),
    }));
    await writeFile(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    const check = await promtool(['check', 'rules', file]);
    expect(check.output).toContain(`SUCCESS: ${expressions.length} rules found`);
    expect(check.code).toBe(0);
  });
});

describe('docs/alerts-and-notifications.md', () => {
  async function yamlBlocks(): Promise<unknown[]> {
    const text = await readFile(DOCS_PAGE, 'utf8');
    return [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((match) => parse(match[1]!) as unknown);
  }

  it('has a notify: block that controller.yaml accepts as it stands', async () => {
    const block = (await yamlBlocks()).find((doc) => typeof doc === 'object' && doc !== null && 'notify' in doc);
    expect(block).toBeDefined();
    const parsed = ControllerConfigSchema.safeParse({
      database: '/var/lib/cedar-store/controller.db',
      agents: [{ id: 'burner-1', url: 'ws://127.0.0.1:7701/rpc', tokenFile: '/etc/cedar-store/agent.token' }],
      ...(block as object),
    });
    expect(parsed.error?.issues).toBeUndefined();
    expect(parsed.data?.notify.map((target) => (target.webhook ? 'webhook' : 'email'))).toEqual(['webhook', 'email']);
  });

  it('shows the alert rules exactly as deploy/prometheus/alerts.yml ships them', async () => {
    const shipped = parse(await readFile(RULES, 'utf8')) as unknown;
    const shown = (await yamlBlocks()).find((doc) => typeof doc === 'object' && doc !== null && 'groups' in doc);
    expect(shown).toEqual(shipped);
  });
});
