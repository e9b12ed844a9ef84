// `kubectl kustomize` on the committed tree, offline. The secretGenerators read git-ignored files, so the tree is
// copied into a temp dir and each secret filled from its committed *.example first (never a real value).
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { runTool } from '../../../test/support/run-tool.ts';

export const kubectl = '/usr/bin/kubectl';
export const kubernetesDir = fileURLToPath(new URL('..', import.meta.url));

/** The kustomize roots that are applied: the two overlays of the app and Alertmanager's routing. */
export const roots = ['overlays/production', 'overlays/demo', 'alertmanager'] as const;
export type Root = (typeof roots)[number];

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** A copy of deploy/kubernetes with the example secrets in place; remove() when done. */
export function copyWithExampleSecrets(): { dir: string; remove(): void } {
  const temp = mkdtempSync(join(tmpdir(), 'kustomize-'));
  const dir = join(temp, 'kubernetes');
  // A developer's real secrets (git-ignored files next to the examples) are never copied, read or rendered.
  const isRealSecret = (source: string): boolean => basename(dirname(source)) === 'secrets' && !/\.example$|\.gitignore$/.test(source);
  cpSync(kubernetesDir, dir, { recursive: true, filter: (source) => !isRealSecret(source) });
  for (const secrets of ['base/secrets', 'alertmanager/secrets', 'overlays/demo/secrets']) {
    for (const file of readdirSync(join(dir, secrets))) {
      if (file.endsWith('.example')) copyFileSync(join(dir, secrets, file), join(dir, secrets, file.replace(/\.example$/, '')));
    }
  }
  return { dir, remove: () => rmSync(temp, { recursive: true, force: true }) };
}

/** Renders one root; throws with kustomize's own words when it fails. */
export async function kustomize(dir: string, root: Root): Promise<KubeObject[]> {
  if (!existsSync(kubectl)) throw new Error(`${kubectl} is missing: install kubectl (kustomize is built in) to check deploy/kubernetes`);
  const result = await runTool(kubectl, ['kustomize', join(dir, root)]);
  if (result.code !== 0) throw new Error(`kubectl kustomize ${root} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`kubectl kustomize ${root}: unparsable output: ${doc.errors[0]?.message}`);
    return doc.toJSON() as KubeObject;
  });
}
