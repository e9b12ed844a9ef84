// The promtool unit test files `npm run rules` writes beside these cases; each loads every rule file, so
// recording rules and alerts are tested together as Prometheus evaluates them.
import { ruleFiles } from '../rules/rule-files.ts';
import { orderServiceCases } from './order-service-alert-cases.ts';
import { pipelineCases } from './pipeline-alert-cases.ts';
import { scrapeSeconds, type PromtoolTestCase, type PromtoolTestFile } from './promtool-test.ts';
import { relayRuntimeCases } from './relay-runtime-alert-cases.ts';
import { runtimeCases } from './runtime-alert-cases.ts';

function testFile(tests: PromtoolTestCase[]): PromtoolTestFile {
  return {
    rule_files: Object.keys(ruleFiles).map((path) => `../${path}`),
    evaluation_interval: `${scrapeSeconds}s`,
    // Recording rules first, then the alerts that read them: a fixed order keeps the values in the expected
    // descriptions exact. (Prometheus runs groups on their own timers; the time-to-page bound allows for it.)
    group_eval_order: Object.values(ruleFiles).flatMap((file) => file.groups.map((group) => group.name)),
    tests,
  };
}

export const ruleTestFiles: Record<string, PromtoolTestFile> = {
  'rule-tests/runtime-alerts.promtool.yml': testFile([...runtimeCases, ...relayRuntimeCases]),
  'rule-tests/order-service-alerts.promtool.yml': testFile(orderServiceCases),
  'rule-tests/pipeline-alerts.promtool.yml': testFile(pipelineCases),
};
