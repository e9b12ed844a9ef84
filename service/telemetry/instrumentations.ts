import type { IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { metrics } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { ViewOptions } from '@opentelemetry/sdk-metrics';
import { routeOf } from './express-route.ts';
import { withoutInstruments } from './instrument-filter.ts';
import { runtimeNodeConfig, runtimeNodeViews } from './runtime-node.ts';

/** getNodeAutoInstrumentations's per-instrumentation config, keyed by package name. */
type AutoConfig = NonNullable<Parameters<typeof getNodeAutoInstrumentations>[0]>;
type HttpConfig = NonNullable<AutoConfig['@opentelemetry/instrumentation-http']>;

const packagePrefix = '@opentelemetry/instrumentation-';

/**
 * Every instrumentation getNodeAutoInstrumentations() knows, by package name: its dependencies (the list it
 * builds from), read from its package.json so that nothing has to be constructed, i.e. nothing patched, to learn them.
 */
function allNames(): string[] {
  const main = createRequire(import.meta.url).resolve('@opentelemetry/auto-instrumentations-node');
  const manifest = JSON.parse(readFileSync(join(dirname(main), '..', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  return Object.keys(manifest.dependencies).filter((n) => n.startsWith(packagePrefix));
}

const short = (i: Instrumentation): string => i.instrumentationName.slice(packagePrefix.length);

export interface InstrumentationOptions {
  /**
   * Short names enabled when OTEL_NODE_ENABLED_INSTRUMENTATIONS is unset: only what the service loads, so start-up
   * stays fast and nothing else is patched. OTEL_NODE_ENABLED_INSTRUMENTATIONS replaces this list;
   * OTEL_NODE_DISABLED_INSTRUMENTATIONS takes names off either.
   */
  defaults: readonly string[];
  /** True for requests given no span: our own /metrics, and those the sampler drops (request-sampling.ts). */
  ignoreRequest: (request: IncomingMessage) => boolean;
  env: NodeJS.ProcessEnv;
}

/**
 * `getNodeAutoInstrumentations()` with our per-instrumentation config. The env switches are the library's own:
 * the defaults are expressed as `enabled: false` for the rest (only while OTEL_NODE_ENABLED_INSTRUMENTATIONS is
 * unset), never as `enabled: true`, which would override OTEL_NODE_DISABLED_INSTRUMENTATIONS.
 */
export function autoInstrumentations(options: InstrumentationOptions): Instrumentation[] {
  const known = allNames();
  const wanted = new Set(options.defaults.map((n) => `${packagePrefix}${n}`));
  const unknown = [...wanted].filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new Error(`unknown instrumentation(s) in defaults: ${unknown.map((n) => n.slice(packagePrefix.length)).join(', ')}`);
  const configured: AutoConfig = {
    '@opentelemetry/instrumentation-http': { ignoreIncomingRequestHook: options.ignoreRequest },
    '@opentelemetry/instrumentation-runtime-node': runtimeNodeConfig,
    // A span per pool checkout costs each request more than it tells (docs/benchmarks.md, "Telemetry cost"):
    // db.client.connection.wait_time measures it.
    // A query span only inside a trace (a request's): the order processor's and the reconciler's queries would
    // each start a trace of one span. Their durations are in db.client.operation.duration all the same.
    '@opentelemetry/instrumentation-pg': { ignoreConnectSpans: true, requireParentSpan: true },
  };
  const envChooses = (options.env.OTEL_NODE_ENABLED_INSTRUMENTATIONS ?? '') !== '';
  const config: Record<string, object> = { ...configured };
  if (!envChooses) {
    for (const name of known) if (!wanted.has(name)) config[name] = { ...(config[name] ?? {}), enabled: false };
  }
  return getNodeAutoInstrumentations(config as AutoConfig);
}

/**
 * The instrumentations that only make spans (their metrics come from span-free recorders): not run when no span
 * is exported. Their span, async context and wrapping per request and per query cost the order service a quarter
 * of its main thread for spans that went nowhere (docs/benchmarks.md, "Telemetry cost").
 */
export const spanOnly: ReadonlySet<string> = new Set(['http', 'express', 'pg']);

/**
 * Not run even when spans are exported: instrumentation-express. A span per express layer was the largest share
 * of its cost and told less than the HTTP span; without them, what it still did, for every request and at every
 * layer, was follow the route for the HTTP span, which the http instrumentation's hook reads from express itself
 * once the request is answered (express-route.ts). Its switch still decides whether spans and metrics get the route.
 */
export const routeOnly: ReadonlySet<string> = new Set(['express']);

/**
 * The instrumentations, less those named: switched off again (each patches as it is built; disable() undoes it),
 * their names left in `enabledNames`, which the recorders and the route follow. They are built at all so that
 * getNodeAutoInstrumentations() stays the one reader of the OTEL_NODE_* switches.
 */
export function notRun(instrumentations: Instrumentation[], names: ReadonlySet<string>): Instrumentation[] {
  return instrumentations.filter((instrumentation) => {
    if (!names.has(short(instrumentation))) return true;
    instrumentation.disable();
    return false;
  });
}

/**
 * HTTP server spans get the matched express route (`http.route`, and in their name) as instrumentation-express
 * would give it; that one is not run (routeOnly), so call this when its switch is on.
 */
export function routeOnHttpSpans(instrumentations: Instrumentation[]): void {
  const http = instrumentations.find((i) => short(i) === 'http') as Instrumentation<HttpConfig> | undefined;
  http?.setConfig({
    ...http.getConfig(),
    applyCustomAttributesOnSpan: (span, request) => {
      const route = span.isRecording() && !('setHeader' in request) ? routeOf(request) : undefined;
      if (route === undefined) return;
      span.setAttribute('http.route', route);
      span.updateName(`${request.method ?? 'GET'} ${route}`);
    },
  });
}

/** Short names of the instrumentations built (what the env switches left on). */
export const enabledNames = (instrumentations: Instrumentation[]): Set<string> => new Set(instrumentations.map(short));

/** Packages (not Node built-ins) the instrumentations patch: the ones import-in-the-middle must wrap for ESM. */
export function patchedPackages(instrumentations: Instrumentation[]): string[] {
  const modules = instrumentations.flatMap((i) => ('getModuleDefinitions' in i ? (i as { getModuleDefinitions(): Array<{ name: string }> }).getModuleDefinitions().map((d) => d.name) : []));
  return [...new Set(modules)].filter((m) => !isBuiltin(m));
}

export const instrumentationViews: ViewOptions[] = [
  ...runtimeNodeViews,
];

/**
 * The metrics the span-free recorders serve (http-server-duration.ts, db-query-duration.ts, db-pool.ts) are made
 * no-op instruments in the tracing instrumentations, at the source: a View that drops a metric still hashes every
 * update. So the series are the same whether spans are exported or not, and none is recorded twice. The pg
 * instrumentation's query histogram would also miss every query outside a trace (requireParentSpan), and its
 * pool counters are labelled with a name derived from the connection string and updated on every acquire and
 * release (the largest single share of telemetry's CPU per order once; docs/benchmarks.md, "Telemetry cost").
 */
const recordedWithoutSpans: Record<string, (instrumentName: string) => boolean> = {
  http: (name) => name === 'http.server.request.duration',
  pg: (name) => name.startsWith('db.client.'),
};

export function leaveMetricsToRecorders(instrumentations: Instrumentation[]): void {
  for (const instrumentation of instrumentations) {
    const drop = recordedWithoutSpans[short(instrumentation)];
    if (drop) instrumentation.setMeterProvider(withoutInstruments(metrics.getMeterProvider(), drop));
  }
}
