// GET /graphs/<token>.png: a stored graph image, for Slack (and the reader's browser) to fetch. No bearer token:
// the 192-bit random token in the path is the credential, as with Slack's own webhook URLs. Unknown tokens get
// the same 404 as malformed ones.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OutboxStore } from '../outbox/outbox-store.ts';
import { graphPathPrefix } from './slack-graph-images.ts';

const tokenPath = /^([A-Za-z0-9_-]{32})\.png$/;

export function handleGraphRequest(req: IncomingMessage, res: ServerResponse, path: string, store: OutboxStore): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('use GET\n');
    return;
  }
  const token = tokenPath.exec(path.slice(graphPathPrefix.length))?.[1];
  const graph = token ? store.graphByToken(token) : undefined;
  if (!graph) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  res
    .writeHead(200, { 'content-type': 'image/png', 'content-length': graph.png.length, 'cache-control': 'private, max-age=86400', 'x-content-type-options': 'nosniff' })
    .end(req.method === 'HEAD' ? undefined : graph.png);
}
