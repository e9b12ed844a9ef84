// The documentation against the repository: generated pages up to date, every path and link it names exists,
// every test file is in docs/testing.md and every test it cites exists, the relay's metric table matches the
// relay's registry, and README.md stays a short front door that reaches every page.
import { existsSync, globSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRelayMetrics } from '../alertmanager/relay/metrics.ts';
import { metricCatalogue } from '../service/telemetry/metric-catalogue.ts';
import { generatedDocs } from './generated-docs.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const ignoredDirs = (path: string): boolean => /(^|\/)(node_modules|\.tools|\.data|\.git)(\/|$)/.test(path);

/**
 * Paths the docs already name in their new place while parallel branches (issue 10) move or add them: new path ->
 * the path it replaces (which must exist meanwhile), or null for a file a parallel branch adds. Once a new path
 * exists, its entry must go: the test says so.
 */
const landingInParallel: Record<string, string | null> = {
};
const landing = (path: string): boolean => path in landingInParallel && !existsSync(join(root, path));

/** What the processes and `./dev` create at run time (git-ignored), named by the docs as where to look. */
const createdAtRunTime = (path: string): boolean => /^\.(data|tools)\//.test(path) || path === 'alertmanager/secrets/relay-token';

const topLevel = new Set([...readdirSync(root), ...Object.keys(landingInParallel).map((p) => p.split('/')[0]!)]);
const fileName = /\.(ts|yml|yaml|json|md|mjs|sh|example)$/;

/** Repository paths written in backticks: a first segment that is a top-level entry, or a bare file name. */
function backtickPaths(text: string): string[] {
  return [...text.matchAll(/`([^`\n]+)`/g)]
    .map((m) => m[1]!)
    .filter((token) => /^[\w.\-/*]+$/.test(token) && !token.startsWith('/') && !token.startsWith('..'))
    .filter((token) => (token.includes('/') ? topLevel.has(token.split('/')[0]!) : /^\w[\w.-]*$/.test(token) && fileName.test(token)));
}

/** Relative links ([text](target)), resolved from the page's folder, with their anchor. */
function links(page: string, text: string): Array<{ path: string; anchor: string | undefined }> {
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z]+:/.test(target))
    .map((target) => {
      const [path = '', anchor] = target.split('#');
      return { path: path === '' ? page : normalize(join(dirname(page), path)), anchor };
    });
}

function exists(path: string): boolean {
  if (/[*{]/.test(path)) return globSync(path, { cwd: root }).length > 0;
  return existsSync(join(root, path));
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  return new Set(
    [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );
}

describe('generated pages', () => {
  it('are committed exactly as `npm run docs` generates them', () => {
    for (const [path, content] of generatedDocs()) expect(read(path), `${path} is stale: run npm run docs`).toBe(content);
  });
});

describe('paths and links in README.md and docs/', () => {
  it('name only files and folders that exist', () => {
    const missing: string[] = [];
    for (const page of pages) {
      const text = read(page);
      const named = [...backtickPaths(text), ...links(page, text).map((l) => l.path)];
      for (const path of new Set(named)) {
        if (ignoredDirs(path) && !createdAtRunTime(path)) missing.push(`${page}: ${path} (not part of the repository)`);
        else if (!exists(path) && !exists(`${path}.example`) && !createdAtRunTime(path) && !landing(path)) missing.push(`${page}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('never reach outside the repository', () => {
    const outside = pages.flatMap((page) => links(page, read(page)).filter((l) => relative(root, join(root, l.path)).startsWith('..')).map((l) => `${page}: ${l.path}`));
    expect(outside).toEqual([]);
  });

  it('point at headings that exist', () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const { path, anchor } of links(page, read(page))) {
        if (anchor === undefined || !path.endsWith('.md') || !exists(path)) continue;
        if (!anchors(read(path)).has(anchor)) broken.push(`${page}: ${path}#${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('keep paths that land in parallel only until they land (then delete their landingInParallel entry)', () => {
    const landed = Object.keys(landingInParallel).filter((path) => exists(path));
    const replacedMissing = Object.entries(landingInParallel).filter(([path, old]) => !exists(path) && old !== null && !exists(old)).map(([path]) => path);
    expect(landed, 'these landed: remove them from landingInParallel in docs/docs.test.ts').toEqual([]);
    expect(replacedMissing, 'neither the new nor the replaced path exists').toEqual([]);
  });
});

describe('docs/testing.md', () => {
  const testing = read('docs/testing.md');

  it('mentions every test file in the repository', () => {
    const files = globSync('**/*.test.ts', { cwd: root, exclude: ignoredDirs }).sort();
    expect(files.length).toBeGreaterThan(20);
    expect(files.filter((file) => !testing.includes(`\`${file}\``))).toEqual([]);
  });

  it('cites only tests that exist: each `file` › "test name" is a test of that file', () => {
    const citations = [...testing.matchAll(/`([\w./-]+\.test\.ts)` › "([^"]+)"/g)];
    expect(citations.length).toBeGreaterThan(40);
    const wrong = citations.filter(([, file, title]) => !landing(file!) && (!exists(file!) || !read(file!).includes(title!))).map(([citation]) => citation);
    expect(wrong).toEqual([]);
  });
});

describe('README.md', () => {
  const readme = read('README.md');

  it('is a short front door', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(150);
  });

  it('links every page of docs/', () => {
    const linked = new Set(links('README.md', readme).map((l) => l.path));
    expect(pages.filter((page) => page.startsWith('docs/') && !linked.has(page))).toEqual([]);
  });
});

describe('hand-written tables that the code could contradict', () => {
  it('docs/relay.md lists exactly the alert_relay_* metrics the relay registers', async () => {
    const registered = (await createRelayMetrics(() => []).registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => n.startsWith('alert_relay_'));
    const documented = [...read('docs/relay.md').matchAll(/^\| `(alert_relay_\w+)`/gm)].map((m) => m[1]!);
    expect(documented.sort()).toEqual(registered.sort());
  });

  it('the metric catalogue names each metric with its unit and type suffix', () => {
    for (const entry of metricCatalogue) {
      const base = entry.name.replace(/_total$/, '');
      expect(entry.name.endsWith('_total'), entry.name).toBe(entry.type === 'counter');
      if (['bytes', 'seconds', 'ratio'].includes(entry.unit)) expect(base, entry.name).toMatch(new RegExp(`_${entry.unit}$`));
      else expect(base, entry.name).not.toMatch(/_(bytes|seconds|ratio)$/);
      expect(exists(entry.source) || landing(entry.source), entry.source).toBe(true);
    }
    expect(new Set(metricCatalogue.map((e) => e.name)).size).toBe(metricCatalogue.length);
  });
});
