import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Attributes } from '@opentelemetry/api';
import { histogramFamily, type BoundHistogram } from './bound-histograms.ts';
import type { Collector } from './collector.ts';
import { routeOf } from './express-route.ts';

export interface HttpServerDurationOptions {
  /** Requests left out (our own /metrics). */
  isScrape: (request: IncomingMessage) => boolean;
  /** Label the matched express route (`http.route`), as the express instrumentation would when it is enabled. */
  withRoute: boolean;
}

/** instrumentation-http's buckets for this histogram, so both paths serve the same series. */
const buckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** Distinct attribute sets whose series are kept found by key (methods x statuses x routes). */
const maxSeries = 1000;
const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']);

interface StartMessage {
  request: IncomingMessage;
  response: ServerResponse;
}

/**
 * `http.server.request.duration` without a span: the same name, buckets and attributes as
 * instrumentation-http (with express's `http.route`) records, whether spans are exported or not (the
 * instrumentation's own histogram is a no-op, instrumentations.ts). With no span exported the tracing
 * instrumentations are not run at all: their span and async context per request were most of telemetry's cost
 * (docs/benchmarks.md, "Telemetry cost"). Node's own diagnostics channel announces each request of every
 * `node:http` server in the process, so nothing is patched. Timed to the response's close, as the
 * instrumentation does.
 */
export function httpServerDuration(options: HttpServerDurationOptions): Collector {
  return (meter) => {
    const histogram = histogramFamily(meter, 'http.server.request.duration', {
      description: 'Duration of HTTP server requests.',
      unit: 's',
      boundaries: buckets,
    });
    // Each series bound once, found by a short key of its attributes' values: building and hashing five attributes
    // on every request showed in the service's CPU profile. Bounded: past it, a request binds its series anew.
    const byKey = new Map<string, BoundHistogram>();
    const seriesOf = (method: string, scheme: string, version: string, status: number, route: string | undefined): BoundHistogram => {
      const key = `${method} ${scheme} ${version} ${status} ${route ?? ''}`;
      const known = byKey.get(key);
      if (known) return known;
      const attributes: Attributes = {
        'http.request.method': method,
        'url.scheme': scheme,
        'network.protocol.version': version,
        'http.response.status_code': status,
      };
      if (route !== undefined) attributes['http.route'] = route;
      if (status >= 500 && status < 600) attributes['error.type'] = String(status);
      const series = histogram.bind(attributes);
      if (byKey.size < maxSeries) byKey.set(key, series);
      return series;
    };
    // One listener function for every response, its start time on the response: nothing allocated per request.
    const startedAt = Symbol('http.server.request.start');
    type Timed = ServerResponse & { [startedAt]?: number; req: IncomingMessage };
    function onClose(this: Timed): void {
      const started = this[startedAt];
      if (started === undefined) return;
      const request = this.req;
      const method = request.method?.toUpperCase() ?? 'GET';
      const scheme = (request.socket as { encrypted?: boolean } | null)?.encrypted ? 'https' : 'http';
      const route = options.withRoute ? routeOf(request) : undefined;
      seriesOf(knownMethods.has(method) ? method : '_OTHER', scheme, request.httpVersion, this.statusCode, route).record((performance.now() - started) / 1000);
    }
    const onStart = (message: unknown): void => {
      const { request, response } = message as StartMessage;
      if (options.isScrape(request)) return;
      (response as Timed)[startedAt] = performance.now();
      response.on('close', onClose);
    };
    subscribe('http.server.request.start', onStart);
    return () => void unsubscribe('http.server.request.start', onStart);
  };
}
