// Every file `npm run rules` writes (path relative to prometheus/ to content), so the generator and the test that
// fails on a stale committed copy compute exactly the same thing.
import { ruleFiles, toYaml } from './rules/rule-files.ts';
import { ruleTestFiles } from './rule-tests/rule-test-files.ts';

export function generatedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [path, file] of Object.entries(ruleFiles)) files.set(path, toYaml(file, 'prometheus/rules/*.ts'));
  for (const [path, file] of Object.entries(ruleTestFiles)) files.set(path, toYaml(file, 'prometheus/rule-tests/*.ts'));
  return files;
}
