// `npm run dashboards`: writes the JSON of every dashboard to grafana/dashboards/ (committed; a test fails when
// the committed files differ from what this code generates). Files no longer generated are removed.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allDashboards, dashboardJson } from './all-dashboards.ts';

const outDir = fileURLToPath(new URL('./dashboards/', import.meta.url));
const generated = allDashboards();
for (const { file, dashboard } of generated) {
  writeFileSync(join(outDir, file), dashboardJson(dashboard));
  console.log(`wrote grafana/dashboards/${file} (${dashboard.uid}: ${dashboard.title})`);
}
const kept = new Set(generated.map((g) => g.file));
for (const file of readdirSync(outDir)) {
  if (file.endsWith('.json') && !kept.has(file)) {
    rmSync(join(outDir, file));
    console.log(`removed grafana/dashboards/${file} (no longer generated)`);
  }
}
