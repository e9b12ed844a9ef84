// PROVISIONAL until prometheus/thresholds.ts (the rules' config) lands with the agreed link form.
export function runbookUrl(alert: string): string {
  return `prometheus/runbook.md#${alert.toLowerCase()}`;
}
