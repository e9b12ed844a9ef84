// The import graph of the TypeScript sources, read statically (no code is run): which files a file reaches
// through relative imports (static, dynamic, and `new URL('./x', import.meta.url)` for worker and data files),
// and which packages it loads. Used to keep runtime code apart from dev code and to check the Docker image.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface ImportReference {
  /** The file that imports. */
  from: string;
  line: number;
  specifier: string;
  /** `import type` / `export type`: erased when Node strips the types, so nothing is loaded at run time. */
  typeOnly: boolean;
}

const patterns: Array<{ regex: RegExp; typeOnly?: (match: RegExpExecArray) => boolean }> = [
  // Up to the statement's end (no `;` in between): multi-line import lists are fine, two statements are not one.
  { regex: /^[ \t]*(import|export)\s+(type\s+)?[^'";]*?\s+from\s+['"]([^'"]+)['"]/gm, typeOnly: (m) => m[2] !== undefined },
  { regex: /^[ \t]*import\s+['"]([^'"]+)['"]/gm },
  { regex: /(?<![\w.])import\(\s*['"]([^'"]+)['"]\s*\)/g },
  { regex: /new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g },
  // module.register('pkg/hook.mjs', import.meta.url): a loader hook loaded at run time.
  { regex: /(?<![\w.])register\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g },
];

/** Every module or file a source file refers to, with its line. Comment lines are skipped. */
export function referencesOf(file: string): ImportReference[] {
  const text = readFileSync(file, 'utf8');
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (index: number): number => lineStarts.findLastIndex((start) => start <= index) + 1;
  const lines = text.split('\n');
  const found: ImportReference[] = [];
  for (const { regex, typeOnly } of patterns) {
    for (const match of text.matchAll(regex)) {
      const line = lineOf(match.index + (match[0].length - match[0].trimStart().length));
      const trimmed = lines[line - 1]!.trimStart();
      if (trimmed.startsWith('//') || trimmed.startsWith('*') || trimmed.startsWith('/*')) continue;
      const specifier = match[match.length - 1]!;
      // `typeof import('pkg')` in a type position loads nothing either.
      const inTypePosition = /typeof\s+$/.test(text.slice(Math.max(0, match.index - 20), match.index));
      found.push({ from: file, line, specifier, typeOnly: (typeOnly?.(match as RegExpExecArray) ?? false) || inTypePosition });
    }
  }
  return found;
}

export const isRelative = (specifier: string): boolean => specifier.startsWith('./') || specifier.startsWith('../');

/** The package a bare specifier loads (`@scope/name/sub` -> `@scope/name`), undefined for node: builtins. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('node:') || isRelative(specifier) || specifier.startsWith('/')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export interface ImportGraph {
  /** Every file reached, entry files included (absolute paths). */
  files: Set<string>;
  /** Every reference followed or found, with the absolute path it resolves to for relative ones. */
  references: Array<ImportReference & { resolved: string | undefined }>;
}

/** Follows relative references from `entries` (absolute .ts paths); `runtimeOnly` skips type-only imports. */
export function importGraph(entries: string[], { runtimeOnly }: { runtimeOnly: boolean }): ImportGraph {
  const files = new Set<string>();
  const references: ImportGraph['references'] = [];
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    if (!file.endsWith('.ts') || !existsSync(file)) continue;
    for (const reference of referencesOf(file)) {
      if (runtimeOnly && reference.typeOnly) continue;
      const resolved = isRelative(reference.specifier) ? resolve(dirname(file), reference.specifier) : undefined;
      references.push({ ...reference, resolved });
      if (resolved !== undefined) queue.push(resolved);
    }
  }
  return { files, references };
}
