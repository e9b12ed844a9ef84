// `npm run rules`: writes the rule files and their promtool unit tests from the TypeScript that defines them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from './generated-files.ts';

const here = dirname(fileURLToPath(import.meta.url));
for (const [path, content] of generatedFiles()) {
  const target = join(here, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  console.log(`wrote prometheus/${path}`);
}
