import type { Attributes } from '@opentelemetry/api';
import type pg from 'pg';
import { histogramFamily, type BoundHistogram } from './bound-histograms.ts';
import type { Collector } from './collector.ts';

/** instrumentation-pg's buckets for this histogram, so both paths serve the same series. */
const buckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];
/** Distinct statements whose attributes are kept per connection. */
const maxStatements = 256;

type Query = (...args: unknown[]) => unknown;
interface QueryableClient {
  query: Query;
  database?: string;
  connectionParameters: { host?: string; port?: number };
}

/** The statement's first word, upper case (`SELECT`, `INSERT`, `BEGIN`), as instrumentation-pg names an operation. */
export function operationName(text: string): string {
  const trimmed = text.trim();
  const space = trimmed.indexOf(' ');
  const word = (space === -1 ? trimmed : trimmed.slice(0, space)).toUpperCase();
  return word.endsWith(';') ? word.slice(0, -1) : word;
}

/**
 * `db.client.operation.duration` for every query made on one pg Pool's clients, without a span: the same name,
 * buckets and attributes as instrumentation-pg records, whether spans are exported or not (its own histogram is a
 * no-op; with spans it only sees queries inside a trace, and without spans it is not run: its span and async
 * context per query cost more than the histogram; docs/benchmarks.md, "Telemetry cost"). Each client's `query` is wrapped
 * on its first checkout (the pool's 'acquire' event; `pool.query()` checks out too); stop puts every client back.
 * Queries on clients outside the pool are not seen.
 */
export function pgQueryDuration(pool: pg.Pool): Collector {
  return (meter) => {
    const histogram = histogramFamily(meter, 'db.client.operation.duration', {
      description: 'Duration of database client operations.',
      unit: 's',
      boundaries: buckets,
    });
    /** Wrapped clients, with the `query` they had as an own property before (undefined: the prototype's). */
    const wrapped = new Map<QueryableClient, Query | undefined>();

    const wrap = (client: QueryableClient): void => {
      if (wrapped.has(client)) return;
      wrapped.set(client, Object.hasOwn(client, 'query') ? client.query : undefined);
      const query = client.query;
      const connection: Attributes = {
        'db.system.name': 'postgresql',
        'db.namespace': client.database,
        'server.port': client.connectionParameters.port,
        'server.address': client.connectionParameters.host,
      };
      // The series of a successful query, bound once per statement text: a service runs the same few statements
      // over and over, and building and hashing their attributes anew for each query showed in its CPU profile.
      // Bounded for dynamic SQL.
      const byText = new Map<string, BoundHistogram>();
      const seriesOf = (text: string | undefined, error: unknown): BoundHistogram => {
        const failed = error !== null && typeof error === 'object' && 'code' in error && typeof error.code === 'string';
        if (!failed && text !== undefined) {
          const known = byText.get(text);
          if (known) return known;
        }
        const attributes: Attributes = { ...connection };
        if (text !== undefined) attributes['db.operation.name'] = operationName(text);
        if (failed) attributes['error.type'] = (error as { code: string }).code;
        const series = histogram.bind(attributes);
        if (!failed && text !== undefined && byText.size < maxStatements) byText.set(text, series);
        return series;
      };
      client.query = function timedQuery(this: unknown, ...args: unknown[]): unknown {
        const first = args[0] as string | { text?: unknown } | undefined;
        const text = typeof first === 'string' ? first : typeof first?.text === 'string' ? first.text : undefined;
        const started = performance.now();
        const record = (error: unknown): void => seriesOf(text, error).record((performance.now() - started) / 1000);
        const last = args[args.length - 1];
        if (typeof last === 'function') {
          args[args.length - 1] = function (this: unknown, error: unknown, result: unknown): unknown {
            record(error);
            return (last as (e: unknown, r: unknown) => unknown).call(this, error, result);
          };
          return query.apply(this, args);
        }
        const result = query.apply(this, args);
        if (result !== null && typeof result === 'object' && 'then' in result && typeof result.then === 'function') {
          (result as PromiseLike<unknown>).then(() => record(undefined), record);
        } else if (result !== null && typeof result === 'object' && 'once' in result && typeof result.once === 'function') {
          // A Submittable (pg.Query, a cursor): it reports by events.
          const events = result as { once(event: string, listener: (error?: unknown) => void): void };
          events.once('end', () => record(undefined));
          events.once('error', record);
        }
        return result;
      };
    };
    const onAcquire = (client: pg.PoolClient): void => wrap(client as unknown as QueryableClient);
    const onRemove = (client: pg.PoolClient): void => void wrapped.delete(client as unknown as QueryableClient);
    pool.on('acquire', onAcquire);
    pool.on('remove', onRemove);

    return () => {
      pool.off('acquire', onAcquire);
      pool.off('remove', onRemove);
      for (const [client, own] of wrapped) {
        if (own) client.query = own;
        else delete (client as Partial<QueryableClient>).query;
      }
      wrapped.clear();
    };
  };
}
