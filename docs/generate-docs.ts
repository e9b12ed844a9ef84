// `npm run docs`: writes the generated pages of docs/ (metric and alert catalogues) from the code they describe.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generatedDocs } from './generated-docs.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
for (const [path, content] of generatedDocs()) {
  writeFileSync(`${root}${path}`, content);
  console.log(`wrote ${path}`);
}
