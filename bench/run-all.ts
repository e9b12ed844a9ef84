// `npm run bench`: runs every bench/*.bench.ts, one after the other, each in its own Node process, so that one
// benchmark's heap and threads do not colour another's figures.
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const files = globSync('bench/*.bench.ts', { cwd: root }).sort();
if (files.length === 0) {
  console.error('no bench/*.bench.ts files found');
  process.exit(1);
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const result = spawnSync(process.execPath, ['--expose-gc', file], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
