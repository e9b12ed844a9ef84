import type { IncomingMessage } from 'node:http';

/** What express leaves on a request once a route matched it: the route, and where its router is mounted. */
interface RoutedRequest {
  route?: { path?: unknown };
  baseUrl?: unknown;
}

/**
 * The express route that matched a request, with its router's mount path (`/admin/faults/:name`), as
 * instrumentation-express reports `http.route`; undefined when no route matched (a 404) or the app is not express.
 * Read from express's own request once it is answered, so the instrumentation need not follow every layer.
 */
export function routeOf(request: IncomingMessage): string | undefined {
  const { route, baseUrl } = request as IncomingMessage & RoutedRequest;
  if (typeof route?.path !== 'string') return undefined;
  return `${typeof baseUrl === 'string' ? baseUrl : ''}${route.path}`;
}
