// Structural checks of the generated dashboards, without a running stack: the committed JSON is what the code
// generates, ids are stable and unique, every query is on the provisioned datasource with an expression and a
// refId, every panel has a unit and named legends, and every link resolves (runbook sections, dashboard uids,
// and the alerts' dashboard_url panel ids).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { allDashboards, dashboardJson } from '../grafana/all-dashboards.ts';
import { alertmanagerDatasource, prometheusDatasource } from '../grafana/datasources.ts';
import { alerts, grafana, runbookUrl, type AlertName } from '../prometheus/alerting-config.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string): string => readFileSync(`${root}${path}`, 'utf8');
const generated = allDashboards();

interface JsonLink {
  title?: string;
  url?: string;
  type?: string;
  tags?: string[];
}
interface JsonTarget {
  refId?: string;
  expr?: string;
  legendFormat?: string;
  datasource?: { type?: string; uid?: string };
}
interface JsonPanel {
  id?: number;
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: JsonTarget[];
  links?: JsonLink[];
  panels?: JsonPanel[];
  fieldConfig?: { defaults?: { unit?: string; custom?: Record<string, unknown> } };
  options?: { legend?: { showLegend?: boolean } };
}

function allPanels(panels: readonly JsonPanel[]): JsonPanel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

const boards = generated.map(({ file, dashboard }) => ({
  file,
  dashboard,
  panels: allPanels((dashboard.panels ?? []) as unknown as JsonPanel[]),
}));
const dataPanels = boards.flatMap((board) => board.panels.filter((p) => p.type !== 'row').map((panel) => ({ board, panel })));
const where = (board: (typeof boards)[number], panel: JsonPanel): string => `${board.file} panel ${panel.id} "${panel.title}"`;

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

describe('generated dashboards', () => {
  it('the committed JSON is exactly what the TypeScript generates (run `npm run dashboards`)', () => {
    const committed = readdirSync(`${root}grafana/dashboards`).filter((f) => f.endsWith('.json')).sort();
    expect(committed).toEqual(generated.map((g) => g.file).sort());
    for (const { file, dashboard } of generated) {
      expect(read(`grafana/dashboards/${file}`), `grafana/dashboards/${file} is stale: run npm run dashboards`).toBe(dashboardJson(dashboard));
    }
  });

  it('has the stable uids the alerts link to, each once', () => {
    const uids = generated.map((g) => g.dashboard.uid);
    expect(uids).toEqual(['node-runtime', 'order-service', 'alerting-pipeline']);
    expect(new Set(uids)).toEqual(new Set(Object.values(grafana.dashboards)));
  });

  it('gives every panel and row an id, unique within its dashboard', () => {
    for (const board of boards) {
      const ids = board.panels.map((p) => p.id);
      expect(ids.every((id) => Number.isInteger(id) && id! > 0), `${board.file}: panel without an id`).toBe(true);
      const duplicates = ids.filter((id, index) => ids.indexOf(id) !== index);
      expect(duplicates, `${board.file}: duplicate panel ids`).toEqual([]);
    }
  });

  it('binds every panel, target, variable and annotation to the provisioned Prometheus datasource uid', () => {
    const provisioned = parse(read('grafana/provisioning/datasources/datasources.yml')) as {
      datasources: Array<{ uid: string; type: string; url: string }>;
    };
    const byUid = new Map(provisioned.datasources.map((d) => [d.uid, d]));
    expect(byUid.get(prometheusDatasource.uid)?.type).toBe(prometheusDatasource.type);
    expect(byUid.get(alertmanagerDatasource.uid)?.type).toBe(alertmanagerDatasource.type);
    for (const { board, panel } of dataPanels) {
      expect(panel.datasource, where(board, panel)).toEqual(prometheusDatasource);
      for (const target of panel.targets ?? []) expect(target.datasource, where(board, panel)).toEqual(prometheusDatasource);
    }
    for (const { dashboard } of boards) {
      for (const variable of dashboard.templating?.list ?? []) expect(variable.datasource, `${dashboard.uid} $${variable.name}`).toEqual(prometheusDatasource);
      for (const annotation of dashboard.annotations?.list ?? []) expect(annotation.datasource, `${dashboard.uid} annotation`).toEqual(prometheusDatasource);
    }
  });

  it('gives every target an expression, a unique refId and a legend naming what it draws', () => {
    for (const { board, panel } of dataPanels) {
      const targets = panel.targets ?? [];
      expect(targets.length, `${where(board, panel)}: no targets`).toBeGreaterThan(0);
      const refIds = targets.map((t) => t.refId);
      expect(new Set(refIds).size, `${where(board, panel)}: duplicate refIds`).toBe(refIds.length);
      for (const target of targets) {
        expect(target.expr?.trim(), `${where(board, panel)} ${target.refId}: empty expr`).toBeTruthy();
        expect(target.refId, where(board, panel)).toMatch(/^[A-Z]$/);
        expect(target.legendFormat?.trim(), `${where(board, panel)} ${target.refId}: no legend`).toBeTruthy();
      }
      // Several series need a legend that tells them apart.
      if (targets.length > 1) {
        const legends = targets.map((t) => t.legendFormat);
        expect(new Set(legends).size, `${where(board, panel)}: two targets with the same legend`).toBe(legends.length);
      }
    }
  });

  it('sets a unit on every panel and shows the legend of every time series', () => {
    for (const { board, panel } of dataPanels) {
      expect(panel.fieldConfig?.defaults?.unit, `${where(board, panel)}: no unit`).toBeTruthy();
      if (panel.type === 'timeseries') expect(panel.options?.legend?.showLegend, `${where(board, panel)}: legend hidden`).toBe(true);
    }
  });

  it('links panels only to runbook sections that exist', () => {
    const runbook = read('prometheus/runbook.md');
    const anchors = new Set([...runbook.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!)));
    let runbookLinks = 0;
    for (const { board, panel } of dataPanels) {
      for (const link of panel.links ?? []) {
        const alert = /^Runbook: (\w+)$/.exec(link.title ?? '')?.[1];
        expect(alert, `${where(board, panel)}: link "${link.title}" is not a runbook link`).toBeDefined();
        expect(Object.keys(alerts), `${where(board, panel)}: ${alert} is no alert`).toContain(alert);
        expect(link.url).toBe(runbookUrl(alert!));
        const anchor = new URL(link.url!).hash.slice(1);
        expect(anchors.has(anchor), `${where(board, panel)}: prometheus/runbook.md has no section #${anchor}`).toBe(true);
        runbookLinks++;
      }
    }
    expect(runbookLinks).toBeGreaterThan(10);
  });

  it('links every alert from a panel of the dashboard its dashboard_url opens', () => {
    for (const [alert, config] of Object.entries(alerts) as [AlertName, (typeof alerts)[AlertName]][]) {
      const uid = grafana.dashboards[config.dashboard];
      const board = boards.find((b) => b.dashboard.uid === uid)!;
      const linked = board.panels.some((panel) => (panel.links ?? []).some((link) => link.title === `Runbook: ${alert}`));
      expect(linked, `${alert}: no panel of ${uid} links its runbook`).toBe(true);
    }
  });

  it('resolves every dashboard_url of the alert rules to a dashboard and panel that exist', () => {
    const ruleFiles = readdirSync(`${root}prometheus/rules`).filter((f) => f.endsWith('.yml'));
    expect(ruleFiles.length).toBeGreaterThan(0);
    let checked = 0;
    for (const file of ruleFiles) {
      const rules = parse(read(`prometheus/rules/${file}`)) as { groups: Array<{ rules: Array<{ alert?: string; annotations?: Record<string, string> }> }> };
      for (const rule of rules.groups.flatMap((g) => g.rules)) {
        const url = rule.annotations?.dashboard_url;
        if (rule.alert === undefined || url === undefined) continue;
        const match = /\/d\/([\w-]+)(?:\?(.*))?$/.exec(url);
        expect(match, `${rule.alert}: dashboard_url ${url}`).not.toBeNull();
        const board = boards.find((b) => b.dashboard.uid === match![1]);
        expect(board, `${rule.alert}: no dashboard with uid ${match![1]}`).toBeDefined();
        const panelId = /viewPanel=(\d+)/.exec(match![2] ?? '')?.[1];
        if (panelId !== undefined) {
          expect(board!.panels.map((p) => p.id), `${rule.alert}: ${match![1]} has no panel ${panelId}`).toContain(Number(panelId));
        }
        if (url.includes('var-instance')) {
          expect(board!.dashboard.templating?.list?.map((v) => v.name), `${rule.alert}: ${match![1]} has no $instance`).toContain('instance');
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('links dashboards to each other by a tag they all carry', () => {
    for (const { dashboard } of boards) {
      for (const link of (dashboard.links ?? []) as JsonLink[]) {
        if (link.type !== 'dashboards') continue;
        const tagged = boards.filter((b) => (link.tags ?? []).every((tag) => b.dashboard.tags?.includes(tag)));
        expect(tagged.length, `${dashboard.uid}: link "${link.title}" finds no other dashboard`).toBe(boards.length);
      }
    }
  });

  it('draws the alert thresholds on the panels the alerts point at', () => {
    const drawn = JSON.stringify(generated.map((g) => g.dashboard));
    // A few anchors that must be there: the heap limit line and the alert levels as dashed thresholds.
    expect(drawn).toContain('old-generation limit (the process dies here)');
    expect(drawn).toContain('NodeHeapNearLimit critical (95% of old-generation limit)');
    expect(drawn).not.toContain('v8js_memory_heap_size_limit_bytes');
    expect(drawn).toContain('NodeRSSNearMemoryLimit warning (80% of container limit)');
    const gc = boards[0]!.panels.find((p) => p.title === 'Share of time in GC')!;
    expect(gc.fieldConfig?.defaults?.custom?.thresholdsStyle).toEqual({ mode: 'dashed' });
    expect(JSON.stringify(gc.fieldConfig?.defaults)).toContain(String(alerts.NodeGCTimeHigh.levels.critical.threshold));
  });
});
