// Sampling decided as an HTTP request arrives, before the HTTP instrumentation does any work for it. The
// instrumentation otherwise builds a request's attributes, starts its span, binds its context and hooks its
// response before the sampler is asked, and every query and route under it starts a (non-recording) child: at 10%
// sampling that per-request work on the 90% not sampled was most of what traces cost (docs/benchmarks.md,
// "Telemetry cost"). A request the sampler drops is passed over by the instrumentation (its
// ignoreIncomingRequestHook) with tracing suppressed beneath it, so neither spans nor their context are made.
import type { IncomingMessage } from 'node:http';
import { isSpanContextValid, propagation, ROOT_CONTEXT, SpanKind, trace, type Attributes, type Context, type Link } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  RandomIdGenerator,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace';
import type { TraceSampler } from './telemetry-env.ts';

/**
 * The sampler OTEL_TRACES_SAMPLER(_ARG) name, as the SDK builds it (sdk-node's create-from-env, which it does not
 * export): built here because the door below must ask the same sampler. Unset: the SDK's default.
 */
export function samplerFromEnv({ name, ratio }: TraceSampler): Sampler {
  const root = (kind: string): Sampler => (kind === 'always_off' ? new AlwaysOffSampler() : kind === 'traceidratio' ? new TraceIdRatioBasedSampler(ratio) : new AlwaysOnSampler());
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root: root(name.slice('parentbased_'.length)) }) : root(name);
}

export interface RequestSampling {
  /** For instrumentation-http's ignoreIncomingRequestHook: true when the sampler drops this request's trace. */
  dropped(request: IncomingMessage): boolean;
  /** The tracer provider's sampler: HTTP server spans were decided at the door; every other span by `sampler`. */
  sampler: Sampler;
}

/** An HTTP server span, by the attribute instrumentation-http gives every one (stable or old conventions). */
const isHttpServerSpan = (kind: SpanKind, attributes: Attributes): boolean =>
  kind === SpanKind.SERVER && (attributes['http.request.method'] !== undefined || attributes['http.method'] !== undefined);

const sampled: SamplingResult = { decision: SamplingDecision.RECORD_AND_SAMPLED };

export function requestSampling(sampler: Sampler): RequestSampling {
  const ids = new RandomIdGenerator();
  return {
    // The request's parent as the configured propagators read it, so a parent-based sampler follows the caller's
    // flag, and a ratio sampler decides on the trace id the span will have. A root's trace id is not drawn yet: it
    // is decided on a fresh one, an equal draw (the span then gets another id).
    dropped: (request) => {
      const parent = propagation.extract(ROOT_CONTEXT, request.headers);
      const caller = trace.getSpanContext(parent);
      const traceId = caller && isSpanContextValid(caller) ? caller.traceId : ids.generateTraceId();
      return sampler.shouldSample(parent, traceId, request.method ?? 'GET', SpanKind.SERVER, {}, []).decision === SamplingDecision.NOT_RECORD;
    },
    sampler: {
      shouldSample: (context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult =>
        isHttpServerSpan(kind, attributes) ? sampled : sampler.shouldSample(context, traceId, name, kind, attributes, links),
      toString: () => `DecidedAtTheDoor{${sampler.toString()}}`,
    },
  };
}
