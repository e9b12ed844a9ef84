// The cheapest answer a Node HTTP server can give: node:http refusing every request with the service's 503 (a
// small JSON body, Retry-After), nothing else. The overload bench runs the 10x surge against it to learn the
// floor of what refusing that surge costs on this machine, the load generator's share included. Started as
// `node bench/support/refusing-server.ts <port>`; prints "listening" once it is.
import { createServer } from 'node:http';

const body = JSON.stringify({ error: 'overloaded', reason: 'concurrency_limit' });
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(503, { 'Retry-After': '1', 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    response.end(body);
  });
});
server.listen(Number(process.argv[2]), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
