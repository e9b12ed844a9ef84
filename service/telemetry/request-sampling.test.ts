// Sampling at the door: the configured sampler decides a request's trace from its headers before any span work,
// and the tracer provider then keeps what the door let in, once, without sampling it a second time.
import type { IncomingMessage } from 'node:http';
import { propagation, ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestSampling, samplerFromEnv } from './request-sampling.ts';

beforeAll(() => void propagation.setGlobalPropagator(new W3CTraceContextPropagator()));
afterAll(() => propagation.disable());

const request = (traceparent?: string): IncomingMessage => ({ method: 'POST', headers: traceparent ? { traceparent } : {} }) as unknown as IncomingMessage;
const caller = (traceId: string, sampled: boolean): string => `00-${traceId}-00f067aa0ba902b7-${sampled ? '01' : '00'}`;

describe('request sampling', () => {
  it('drops root requests in the ratio OTEL_TRACES_SAMPLER_ARG gives', () => {
    const door = requestSampling(samplerFromEnv({ name: 'parentbased_traceidratio', ratio: 0.1 }));
    let kept = 0;
    for (let i = 0; i < 4000; i++) if (!door.dropped(request())) kept++;
    expect(kept / 4000).toBeGreaterThan(0.07);
    expect(kept / 4000).toBeLessThan(0.13);
  });

  it('follows the sampled flag of the caller under a parent-based sampler, whatever the root would decide', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    expect(requestSampling(samplerFromEnv({ name: 'parentbased_always_off', ratio: 1 })).dropped(request(caller(traceId, true)))).toBe(false);
    expect(requestSampling(samplerFromEnv({ name: 'parentbased_always_on', ratio: 1 })).dropped(request(caller(traceId, false)))).toBe(true);
    expect(requestSampling(samplerFromEnv({ name: 'parentbased_always_off', ratio: 1 })).dropped(request())).toBe(true);
  });

  it('decides a ratio on the trace id the span will have when a caller gave one', () => {
    const ratio = new TraceIdRatioBasedSampler(0.5);
    const door = requestSampling(samplerFromEnv({ name: 'traceidratio', ratio: 0.5 }));
    const decisions = new Set<string>();
    for (const traceId of ['00000000000000000000000000000001', 'ffffffffffffffffffffffffffffffff', '4bf92f3577b34da6a3ce929d0e0e4736', '7fffffff00000000000000000000abcd']) {
      const expected = ratio.shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.NOT_RECORD;
      expect(door.dropped(request(caller(traceId, true))), traceId).toBe(expected);
      decisions.add(String(expected));
    }
    expect(decisions.size, 'the ids chosen cover both decisions').toBe(2);
  });

  it('has the tracer provider keep every HTTP server span the door let in, and ask the sampler for every other span', () => {
    const { sampler } = requestSampling(samplerFromEnv({ name: 'always_off', ratio: 1 }));
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    expect(sampler.shouldSample(ROOT_CONTEXT, traceId, 'POST', SpanKind.SERVER, { 'http.request.method': 'POST' }, []).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(sampler.shouldSample(ROOT_CONTEXT, traceId, 'pg.query', SpanKind.CLIENT, { 'db.system.name': 'postgresql' }, []).decision).toBe(SamplingDecision.NOT_RECORD);
    expect(sampler.shouldSample(ROOT_CONTEXT, traceId, 'consume', SpanKind.SERVER, {}, []).decision).toBe(SamplingDecision.NOT_RECORD);
    expect(sampler.toString()).toContain('AlwaysOffSampler');
  });
});
