// `npm run rules` leaves no stale rule file behind: a generated file it no longer writes would still be loaded by
// prometheus.yml's rules/*.yml glob. Hand-written YAML is never deleted, but has no place there either.
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeRuleFiles } from './generate-rules.ts';
import { generatedFiles, yamlInGeneratedFolders } from './generated-files.ts';
import { generatedHeader } from './rules/rule-files.ts';

const prometheusDir = fileURLToPath(new URL('.', import.meta.url));
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('npm run rules', () => {
  it('removes the generated files it no longer writes and keeps everything else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    temps.push(dir);
    cpSync(join(prometheusDir, 'rules'), join(dir, 'rules'), { recursive: true });
    cpSync(join(prometheusDir, 'rule-tests'), join(dir, 'rule-tests'), { recursive: true });
    const renamedAway = `${generatedHeader('prometheus/rules/*.ts')}groups: []\n`;
    writeFileSync(join(dir, 'rules', 'heap-alerts-old.yml'), renamedAway);
    writeFileSync(join(dir, 'rule-tests', 'heap-alerts-old.promtool.yml'), renamedAway);
    writeFileSync(join(dir, 'rules', 'hand-written.yml'), 'groups: []\n');

    const { written, removed } = writeRuleFiles(dir);
    expect(removed.sort()).toEqual(['rule-tests/heap-alerts-old.promtool.yml', 'rules/heap-alerts-old.yml']);
    expect(existsSync(join(dir, 'rules', 'heap-alerts-old.yml'))).toBe(false);
    expect(existsSync(join(dir, 'rules', 'hand-written.yml')), 'a file without the generated header is never deleted').toBe(true);
    expect(written.sort()).toEqual([...generatedFiles().keys()].sort());
    expect(yamlInGeneratedFolders(dir)).toEqual([...written, 'rules/hand-written.yml'].sort());
  });

  it('leaves in the repository only the YAML it generates (nothing else for rules/*.yml to load)', () => {
    expect(yamlInGeneratedFolders(prometheusDir)).toEqual([...generatedFiles().keys()].sort());
  });
});
