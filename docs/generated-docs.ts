// Every page `npm run docs` writes (path relative to the repository root to content), so the generator and the
// test that fails on a stale committed page compute exactly the same thing.
import { alertsPage } from './alerts-page.ts';
import { metricsPage } from './metrics-page.ts';

export function generatedDocs(): Map<string, string> {
  return new Map([
    ['docs/metrics.md', metricsPage()],
    ['docs/alerts.md', alertsPage()],
  ]);
}
