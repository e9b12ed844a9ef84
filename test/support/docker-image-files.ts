// The files the Dockerfile puts into the image: its COPY sources, less what .dockerignore leaves out of the build
// context. Read statically, so the image's contents can be checked without a Docker engine.
import { existsSync, globSync, readFileSync, statSync } from 'node:fs';
import { join, matchesGlob } from 'node:path';

/** `COPY [--flag=...] <src>... <dest>` of the final image (multi-stage `--from` copies are not context files). */
export function copySources(dockerfile: string): string[] {
  return dockerfile
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^COPY\s/i.test(line))
    .flatMap((line) => {
      const args = line.split(/\s+/).slice(1);
      if (args.some((a) => a.startsWith('--from'))) return [];
      const paths = args.filter((a) => !a.startsWith('--'));
      return paths.slice(0, -1);
    });
}

function dockerignorePatterns(root: string): string[] {
  const file = join(root, '.dockerignore');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.replace(/^\/+/, '').replace(/\/+$/, ''));
}

/** Whether .dockerignore keeps `path` (relative to the context) out: it or one of its parent directories matches. */
function ignored(path: string, patterns: string[]): boolean {
  const parts = path.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  return patterns.some((pattern) => candidates.some((candidate) => matchesGlob(candidate, pattern)));
}

/** Paths (relative to `root`, the build context) of every file the image gets from the context. */
export function dockerImageFiles(root: string): Set<string> {
  const patterns = dockerignorePatterns(root);
  const files = new Set<string>();
  for (const source of copySources(readFileSync(join(root, 'Dockerfile'), 'utf8'))) {
    const clean = source.replace(/^\.\/?/, '').replace(/\/+$/, '');
    const absolute = join(root, clean);
    if (!existsSync(absolute)) continue;
    const found = statSync(absolute).isDirectory()
      ? globSync('**/*', { cwd: absolute, exclude: (name) => name === 'node_modules' || name === '.git' }).map((f) => (clean === '' ? f : `${clean}/${f}`))
      : [clean];
    for (const file of found) {
      if (statSync(join(root, file)).isDirectory() || ignored(file, patterns)) continue;
      files.add(file);
    }
  }
  return files;
}
