// `npm run rules`: writes the rule files and their promtool unit tests from the TypeScript that defines them, and
// removes the generated files it no longer writes (prometheus.yml's rules/*.yml glob would still load them).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles, staleGeneratedFiles } from './generated-files.ts';

/** Writes every generated file under `dir` (the prometheus/ folder) and removes stale ones; returns what it did. */
export function writeRuleFiles(dir: string): { written: string[]; removed: string[] } {
  const written: string[] = [];
  for (const [path, content] of generatedFiles()) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    written.push(path);
  }
  const removed = staleGeneratedFiles(dir);
  for (const path of removed) rmSync(join(dir, path));
  return { written, removed };
}

if (import.meta.main) {
  const { written, removed } = writeRuleFiles(dirname(fileURLToPath(import.meta.url)));
  for (const path of written) console.log(`wrote prometheus/${path}`);
  for (const path of removed) console.log(`removed prometheus/${path} (no longer generated)`);
}
