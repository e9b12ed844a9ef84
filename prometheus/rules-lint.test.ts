// The conventions every alert keeps (CamelCase names; severity critical pages, warning goes to the digest, info is
// not sent; a static summary sentence), checked on the generated rules: labels, annotations,
// runbook sections that exist, dashboard links to the fixed uids, paging delays that fit the one-minute goal,
// recording rule names, and a promtool case for every alert and severity.
import { globSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { metricNamesIn } from './promql-metric-names.ts';
import { alertingRules, recordingRules } from './rule-catalogue.ts';
import { ruleTestFiles } from './rule-tests/rule-test-files.ts';
import { alerts, grafana, intervals, jobs, runbookUrl, type AlertConfig, type Duration } from './alerting-config.ts';

const here = dirname(fileURLToPath(import.meta.url));
const runbook = readFileSync(join(here, 'runbook.md'), 'utf8');
const seconds = (duration: Duration): number => {
  const value = Number.parseFloat(duration);
  return duration.endsWith('h') ? value * 3600 : duration.endsWith('m') ? value * 60 : value;
};

describe('alert rules', () => {
  const rules = alertingRules();

  it('are exactly the alerts and levels of prometheus/alerting-config.ts', () => {
    const generated = rules.map((rule) => `${rule.alert}/${rule.labels.severity}`).sort();
    const configured = Object.entries(alerts)
      .flatMap(([name, config]) => Object.keys(config.levels).map((severity) => `${name}/${severity}`))
      .sort();
    expect(generated).toEqual(configured);
  });

  it.each(alertingRules().map((rule) => [`${rule.alert} (${rule.labels.severity})`, rule] as const))('%s has the labels and annotations', (_, rule) => {
    expect(rule.alert).toMatch(/^[A-Z][A-Za-z0-9]+$/);
    expect(['critical', 'warning', 'info']).toContain(rule.labels.severity);
    expect(rule.labels.service).not.toBe('');
    const { summary, description, runbook_url, dashboard_url } = rule.annotations;
    expect(summary, 'summary: a static sentence').toMatch(/^[A-Z][^{}]*\.$/);
    if (rule.alert !== 'Watchdog') {
      expect(description, 'description names the instance').toMatch(/\{\{ \$labels\.instance \}\}/);
      if (rule.alert !== 'InstanceDown') expect(description, 'description names the value').toMatch(/\{\{ \$value[ |]/);
      expect(dashboard_url).toContain('var-instance={{ $labels.instance }}');
    }
    expect(runbook_url).toBe(runbookUrl(rule.alert));
    const uids = Object.values(grafana.dashboards).join('|');
    expect(dashboard_url).toMatch(new RegExp(`^${grafana.baseUrl.replace(/[.]/g, '\\.')}/d/(${uids})(\\?|$)`));
  });

  it('have a runbook section each: meaning, first checks, mitigation', () => {
    const sections = new Map(
      runbook
        .split(/^## /m)
        .slice(1)
        .map((section) => [section.slice(0, section.indexOf('\n')).trim(), section] as const),
    );
    for (const name of Object.keys(alerts)) {
      const section = sections.get(name);
      expect(section, `runbook.md has no "## ${name}" section`).toBeDefined();
      for (const part of ['**Meaning.**', '**First checks.**', '**Mitigation.**']) expect(section, `${name}: ${part}`).toContain(part);
    }
    expect([...sections.keys()].sort()).toEqual(Object.keys(alerts).sort());
  });

  it('open a panel that exists on their dashboard and links back to their runbook', () => {
    interface Panel { id?: number; links?: Array<{ url?: string }>; panels?: Panel[] }
    const flatten = (panels: Panel[]): Panel[] => panels.flatMap((panel) => [panel, ...flatten(panel.panels ?? [])]);
    const dashboards = new Map(
      globSync('grafana/dashboards/*.json', { cwd: join(here, '..') }).map((file) => {
        const json = JSON.parse(readFileSync(join(here, '..', file), 'utf8')) as { uid: string; panels: Panel[] };
        return [json.uid, flatten(json.panels)] as const;
      }),
    );
    for (const [name, config] of Object.entries(alerts) as Array<[string, AlertConfig]>) {
      if (config.panel === undefined) continue;
      const panels = dashboards.get(grafana.dashboards[config.dashboard]);
      expect(panels, `dashboard ${grafana.dashboards[config.dashboard]} (grafana/dashboards/)`).toBeDefined();
      const panel = panels!.find((p) => p.id === config.panel);
      expect(panel, `${name}: panel ${config.panel} on ${grafana.dashboards[config.dashboard]}`).toBeDefined();
      expect((panel!.links ?? []).map((link) => link.url), `${name}: panel ${config.panel} links to its runbook`).toContain(runbookUrl(name));
    }
  });

  it('page within a minute: scrape + evaluation + for of every critical alert leave room for group_wait', () => {
    for (const rule of rules.filter((r) => r.labels.severity === 'critical')) {
      expect(seconds(intervals.scrape) + seconds(intervals.evaluation) + seconds(rule.for), rule.alert).toBeLessThanOrEqual(45);
    }
  });

  it('read recorded series that some recording rule records', () => {
    const recorded = new Set(recordingRules().map((rule) => rule.record));
    for (const rule of [...rules, ...recordingRules()]) {
      for (const name of metricNamesIn(rule.expr).filter((n) => n.includes(':'))) expect(recorded, `${name} in ${'alert' in rule ? rule.alert : rule.record}`).toContain(name);
    }
  });
});

describe('recording rules', () => {
  it('are named level:metric:operations', () => {
    for (const rule of recordingRules()) expect(rule.record).toMatch(/^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/);
  });
});

describe('promtool cases', () => {
  const cases = Object.values(ruleTestFiles).flatMap((file) => file.tests);
  const assertions = cases.flatMap((testCase) => testCase.alert_rule_test);

  it('make every alert fire at every severity, and check each quiet at least once', () => {
    const fired = new Set(assertions.flatMap((a) => a.exp_alerts.map((alert) => `${a.alertname}/${alert.exp_labels.severity}`)));
    const quiet = new Set(assertions.filter((a) => a.exp_alerts.length === 0).map((a) => a.alertname));
    for (const [name, config] of Object.entries(alerts)) {
      for (const severity of Object.keys(config.levels)) expect(fired, `no case fires ${name}/${severity}`).toContain(`${name}/${severity}`);
      if (name !== 'Watchdog') expect(quiet, `no case checks ${name} quiet`).toContain(name);
    }
  });
});

describe('prometheus.yml', () => {
  const config = parse(readFileSync(join(here, 'prometheus.yml'), 'utf8')) as {
    global: { scrape_interval: string; evaluation_interval: string };
    scrape_configs: Array<{ job_name: string; file_sd_configs?: unknown[] }>;
  };

  it('scrapes every job the rules select, finds order-service replicas through file discovery, with the shipped intervals', () => {
    expect(config.scrape_configs.map((s) => s.job_name).sort()).toEqual(Object.values(jobs).sort());
    expect(config.scrape_configs.find((s) => s.job_name === jobs.orderService)?.file_sd_configs).toBeDefined();
    expect(config.global.scrape_interval).toBe(intervals.scrape);
    expect(config.global.evaluation_interval).toBe(intervals.evaluation);
  });
});
