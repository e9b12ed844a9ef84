// Prometheus and Alertmanager resolve relative file paths in their configs against the config file's directory.
// A launcher that writes a variant of a config into a temp dir (to change ports) must first make those paths
// absolute, or the variant would look for rule files and secrets in the temp dir.
import { isAbsolute, resolve } from 'node:path';

/** Keys whose string values (or string-array values) are file paths, in either tool's config. */
const pathKeys = new Set(['rule_files', 'files', 'templates']);

function isPathKey(key: string): boolean {
  return pathKeys.has(key) || key.endsWith('_file');
}

function absolute(value: unknown, baseDir: string): unknown {
  if (typeof value === 'string') return isAbsolute(value) ? value : resolve(baseDir, value);
  if (Array.isArray(value)) return value.map((item) => absolute(item, baseDir));
  return value;
}

/** A deep copy of a parsed config with every relative file path made absolute against `baseDir`. */
export function resolveConfigPaths<T>(config: T, baseDir: string): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [key, isPathKey(key) ? absolute(value, baseDir) : walk(value)]),
    );
  };
  return walk(config) as T;
}
