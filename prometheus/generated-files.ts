// Every file `npm run rules` writes (path relative to prometheus/ to content), so the generator and the test that
// fails on a stale committed copy compute exactly the same thing; and the generated files it no longer writes.
import { globSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedHeaderStart, ruleFiles, toYaml } from './rules/rule-files.ts';
import { ruleTestFiles } from './rule-tests/rule-test-files.ts';

export function generatedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [path, file] of Object.entries(ruleFiles)) files.set(path, toYaml(file, 'prometheus/rules/*.ts'));
  for (const [path, file] of Object.entries(ruleTestFiles)) files.set(path, toYaml(file, 'prometheus/rule-tests/*.ts'));
  return files;
}

/** The YAML files where `npm run rules` writes (relative to `dir`, the prometheus/ folder). */
export function yamlInGeneratedFolders(dir: string): string[] {
  return globSync(['rules/*.yml', 'rule-tests/*.yml'], { cwd: dir }).sort();
}

/**
 * Files under `dir` that an earlier `npm run rules` wrote (they carry its header) and the current one no longer
 * produces: prometheus.yml's `rules/*.yml` glob would still load such a rule file.
 */
export function staleGeneratedFiles(dir: string): string[] {
  const produced = generatedFiles();
  return yamlInGeneratedFolders(dir).filter((path) => !produced.has(path) && readFileSync(join(dir, path), 'utf8').startsWith(generatedHeaderStart));
}
