// Building blocks for `promtool test rules` files: input series as 5-second scrapes, and expected alerts whose
// labels and static annotations come from the generated rules, so each case spells out only what it tests: when
// the alert fires, on which labels, and the description rendered with the value at that moment.
import type { Severity } from '../alerting-config.ts';
import { ruleFiles } from '../rules/rule-files.ts';
import type { AlertingRule } from '../rules/rule-types.ts';

/** Scrape (and evaluation) interval of every case, as shipped in prometheus.yml. */
export const scrapeSeconds = 5;

export interface InputSeries {
  series: string;
  values: string;
}

export interface ExpectedAlert {
  exp_labels: Record<string, string>;
  exp_annotations: Record<string, string>;
}

export interface AlertRuleTest {
  eval_time: string;
  alertname: string;
  exp_alerts: ExpectedAlert[];
}

export interface PromtoolTestCase {
  name: string;
  interval: string;
  input_series: InputSeries[];
  alert_rule_test: AlertRuleTest[];
}

export interface PromtoolTestFile {
  rule_files: string[];
  evaluation_interval: string;
  /** Groups evaluated in this order at each step; without it promtool's order varies between runs. */
  group_eval_order: string[];
  tests: PromtoolTestCase[];
}

const number = (value: number): string => String(Number(value.toPrecision(12)));

/** `count` samples of `value`. */
export const hold = (value: number, count: number): string[] => Array.from({ length: count }, () => number(value));
/** `count` samples from `from`, adding `step` each. */
export const ramp = (from: number, step: number, count: number): string[] =>
  Array.from({ length: count }, (_, i) => number(from + step * i));
/** `count` scrapes without this series (it does not exist yet). */
export const absent = (count: number): string[] => Array.from({ length: count }, () => '_');
/** `count` scrapes that found the target gone (Prometheus writes staleness markers). */
export const stale = (count: number): string[] => Array.from({ length: count }, () => 'stale');
/** A counter: for each [increment per scrape, scrapes] part, that many samples, cumulative from `start`. */
export function counter(parts: Array<[increment: number, scrapes: number]>, start = 0): string[] {
  const values: string[] = [];
  let total = start;
  for (const [increment, scrapes] of parts) {
    for (let i = 0; i < scrapes; i++) {
      values.push(number(total));
      total += increment;
    }
  }
  return values;
}

export function series(name: string, labels: Record<string, string>, ...parts: string[][]): InputSeries {
  const selector = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .join(', ');
  return { series: `${name}{${selector}}`, values: parts.flat().join(' ') };
}

/** Seconds as a promtool eval time. */
export const at = (seconds: number): string => `${seconds}s`;

function findRule(alertname: string, severity: Severity): AlertingRule {
  for (const file of Object.values(ruleFiles)) {
    for (const group of file.groups) {
      for (const rule of group.rules) {
        if ('alert' in rule && rule.alert === alertname && rule.labels.severity === severity) return rule;
      }
    }
  }
  throw new Error(`no ${severity} rule for alert ${alertname}`);
}

/**
 * The alert as it must fire: the expression's labels plus severity and service; summary, runbook_url and
 * dashboard_url as the rule renders them for these labels; the description given in full.
 */
export function firing(alertname: string, severity: Severity, labels: Record<string, string>, description: string): ExpectedAlert {
  const rule = findRule(alertname, severity);
  const expand = (template: string): string =>
    template.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, label: string) => labels[label] ?? '');
  return {
    exp_labels: { ...labels, severity, service: expand(rule.labels.service) },
    exp_annotations: {
      summary: rule.annotations.summary,
      description,
      runbook_url: rule.annotations.runbook_url,
      dashboard_url: expand(rule.annotations.dashboard_url),
    },
  };
}

/** Asserts that none of `alertnames` fires at any of `times` (seconds). */
export function quiet(alertnames: string[], times: number[]): AlertRuleTest[] {
  return times.flatMap((time) => alertnames.map((alertname) => ({ eval_time: at(time), alertname, exp_alerts: [] })));
}

export function testCase(name: string, input_series: InputSeries[], alert_rule_test: AlertRuleTest[]): PromtoolTestCase {
  return { name, interval: `${scrapeSeconds}s`, input_series, alert_rule_test };
}
