// `npm run k8s`: writes the generated files of deploy/kubernetes/ (committed; deploy/kubernetes/kubernetes.test.ts
// fails when they differ from what this generates). Dashboard copies no longer generated are removed.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from './generated-files.ts';

const here = dirname(fileURLToPath(import.meta.url));
const files = generatedFiles();
for (const [path, content] of files) {
  const target = join(here, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  console.log(`wrote deploy/kubernetes/${path}`);
}
for (const file of readdirSync(join(here, 'base/dashboards'))) {
  if (!files.has(`base/dashboards/${file}`)) {
    rmSync(join(here, 'base/dashboards', file));
    console.log(`removed deploy/kubernetes/base/dashboards/${file} (no longer generated)`);
  }
}
