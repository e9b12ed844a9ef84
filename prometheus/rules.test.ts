// The rules as Prometheus sees them: generated files up to date, promtool's own checks, the unit tests of every
// alert, and a mutation that proves those unit tests catch a wrong threshold.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { renderPrometheusConfig } from '../stack/prometheus-process.ts';
import { runTool } from '../test/support/run-tool.ts';
import { generatedFiles } from './generated-files.ts';
import { ruleFiles } from './rules/rule-files.ts';
import { ruleTestFiles } from './rule-tests/rule-test-files.ts';

const here = dirname(fileURLToPath(import.meta.url));
const tempDirs: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('generated rule files', () => {
  it('are committed exactly as `npm run rules` generates them', () => {
    for (const [path, content] of generatedFiles()) {
      const committed = readFileSync(join(here, path), 'utf8');
      expect(committed, `prometheus/${path} is stale: run npm run rules`).toBe(content);
    }
  });
});

describe('promtool', () => {
  it('accepts prometheus.yml as committed and as the launcher renders it for other ports', async () => {
    const committed = await runTool('promtool', ['check', 'config', join(here, 'prometheus.yml')]);
    expect(committed.code, committed.output).toBe(0);
    expect(committed.output).toMatch(/SUCCESS/);
    const rendered = renderPrometheusConfig(join(here, 'prometheus.yml'), tempDir('prometheus-render-'), {
      self: '127.0.0.1:19090',
      targets: { 'order-service': ['127.0.0.1:19464', '127.0.0.1:19465'] },
      alertmanagers: ['127.0.0.1:19093'],
    });
    const variant = await runTool('promtool', ['check', 'config', rendered.configFile]);
    expect(variant.code, variant.output).toBe(0);
    // promtool check config also checks the rule files the config loads.
    expect(variant.output).toMatch(new RegExp(`SUCCESS: ${Object.keys(ruleFiles).length} rule files found`));
  });

  it('accepts every rule file', async () => {
    const result = await runTool('promtool', ['check', 'rules', ...Object.keys(ruleFiles).map((path) => join(here, path))]);
    expect(result.code, result.output).toBe(0);
    expect(result.output.match(/SUCCESS/g)).toHaveLength(Object.keys(ruleFiles).length);
  });

  it('passes the unit tests of every alert', async () => {
    const files = Object.keys(ruleTestFiles);
    const result = await runTool('promtool', ['test', 'rules', ...files.map((path) => join(here, path))]);
    expect(result.code, result.output).toBe(0);
    expect(result.output.match(/SUCCESS/g)).toHaveLength(files.length);
  });

  it('fails those unit tests when a threshold in a rule is off (the tests can fail)', async () => {
    const dir = tempDir('prometheus-mutant-');
    cpSync(join(here, 'rules'), join(dir, 'rules'), { recursive: true });
    cpSync(join(here, 'rule-tests'), join(dir, 'rule-tests'), { recursive: true });
    const file = join(dir, 'rules/runtime-alerts.yml');
    const original = readFileSync(file, 'utf8');
    const mutated = original.replace('instance:v8js_memory_heap_old_generation_utilization:ratio > 0.95', 'instance:v8js_memory_heap_old_generation_utilization:ratio > 0.98');
    expect(mutated).not.toBe(original);
    writeFileSync(file, mutated);
    const result = await runTool('promtool', ['test', 'rules', join(dir, 'rule-tests/runtime-alerts.promtool.yml')]);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/alertname: NodeHeapNearLimit/);
  });
});
