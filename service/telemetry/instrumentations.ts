import type { IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { metrics } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { ExpressLayerType } from '@opentelemetry/instrumentation-express';
import type { ViewOptions } from '@opentelemetry/sdk-metrics';
import { withoutInstruments } from './instrument-filter.ts';
import { runtimeNodeConfig, runtimeNodeViews } from './runtime-node.ts';

/** getNodeAutoInstrumentations's per-instrumentation config, keyed by package name. */
type AutoConfig = NonNullable<Parameters<typeof getNodeAutoInstrumentations>[0]>;

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
  /** True for requests to our own /metrics, left out of the HTTP server's spans and metrics. */
  isScrape: (request: IncomingMessage) => boolean;
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
    '@opentelemetry/instrumentation-http': { ignoreIncomingRequestHook: options.isScrape },
    '@opentelemetry/instrumentation-runtime-node': runtimeNodeConfig,
    // The express instrumentation's one input to the metrics is the matched route (http.route), which it records
    // before looking at these. A span per middleware (body parser, and so on) was the biggest share of
    // telemetry's cost per request (docs/benchmarks.md, "Telemetry cost"): never for middleware, and for no
    // layer at all when spans go nowhere.
    // Spans of what already has a span or a metric cost each request more than they tell (docs/benchmarks.md,
    // "Telemetry cost"): a pool checkout (db.client.connection.wait_time measures it), and each express layer (the
    // HTTP server span and metric carry the matched route, which the instrumentation records before it looks at
    // these, and a span per middleware was the largest share of its cost).
    '@opentelemetry/instrumentation-pg': { ignoreConnectSpans: true },
    '@opentelemetry/instrumentation-express': {
      ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.REQUEST_HANDLER, ExpressLayerType.ROUTER],
    },
  };
  const envChooses = (options.env.OTEL_NODE_ENABLED_INSTRUMENTATIONS ?? '') !== '';
  const config: Record<string, object> = { ...configured };
  if (!envChooses) {
    for (const name of known) if (!wanted.has(name)) config[name] = { ...(config[name] ?? {}), enabled: false };
  }
  return getNodeAutoInstrumentations(config as AutoConfig);
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
 * The pg instrumentation's pool metrics are labelled with a name it derives from the connection string, and
 * updated on every acquire and release; pgPoolMetrics reports those and more under the configured name. Its
 * instruments for them are made no-ops at the source (not dropped by a View, which still hashes every update:
 * the largest single share of telemetry's CPU per order before, docs/benchmarks.md, "Telemetry cost").
 */
export function quietPgPoolCounters(instrumentations: Instrumentation[]): void {
  for (const instrumentation of instrumentations) {
    if (instrumentation.instrumentationName !== `${packagePrefix}pg`) continue;
    instrumentation.setMeterProvider(withoutInstruments(metrics.getMeterProvider(), (name) => name.startsWith('db.client.connection.')));
  }
}
