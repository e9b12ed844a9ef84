import { describe, expect, it } from 'vitest';
import { prometheusMetricName, prometheusUnit } from './unit-suffixes.ts';

// Expected names are those Prometheus's OTLP translation (otlptranslator, UnderscoreEscapingWithSuffixes) gives.
describe('prometheusMetricName', () => {
  it.each([
    ['http.server.request.duration', 's', 'histogram', 'http_server_request_duration_seconds'],
    ['v8js.memory.heap.used', 'By', 'gauge', 'v8js_memory_heap_used_bytes'],
    ['v8js.memory.heap.space.size', 'By', 'non-monotonic-counter', 'v8js_memory_heap_space_size_bytes'],
    ['nodejs.eventloop.delay.p99', 's', 'gauge', 'nodejs_eventloop_delay_p99_seconds'],
    ['nodejs.eventloop.utilization', '1', 'gauge', 'nodejs_eventloop_utilization_ratio'],
    ['nodejs.eventloop.time', 's', 'counter', 'nodejs_eventloop_time_seconds_total'],
    ['db.client.connection.count', '{connection}', 'non-monotonic-counter', 'db_client_connection_count'],
    ['db.client.connection.timeouts', '{timeout}', 'counter', 'db_client_connection_timeouts_total'],
    ['db.client.connection.wait_time', 's', 'histogram', 'db_client_connection_wait_time_seconds'],
    ['process.cpu.time', 's', 'counter', 'process_cpu_time_seconds_total'],
  ] as const)('%s [%s] as a %s is %s', (name, unit, kind, expected) => {
    expect(prometheusMetricName(name, unit, kind)).toBe(expected);
  });

  it('adds a per-unit: By/s is bytes_per_second', () => {
    expect(prometheusMetricName('network.io.rate', 'By/s', 'gauge')).toBe('network_io_rate_bytes_per_second');
    expect(prometheusMetricName('requests.rate', '{request}/s', 'gauge')).toBe('requests_rate_per_second');
  });

  it('does not repeat a unit or a type suffix the name already has', () => {
    expect(prometheusMetricName('job.duration_seconds', 's', 'histogram')).toBe('job_duration_seconds');
    expect(prometheusMetricName('requests_total', '{request}', 'counter')).toBe('requests_total');
    expect(prometheusMetricName('requests.total.served', '{request}', 'counter')).toBe('requests_served_total');
    expect(prometheusMetricName('cache.hit.ratio', '1', 'gauge')).toBe('cache_hit_ratio');
  });

  it('adds _ratio only to gauges, and _total only to monotonic counters', () => {
    expect(prometheusMetricName('queue.fill', '1', 'non-monotonic-counter')).toBe('queue_fill');
    expect(prometheusMetricName('events', '1', 'counter')).toBe('events_total');
    expect(prometheusMetricName('queue.depth', '{task}', 'non-monotonic-counter')).toBe('queue_depth');
  });

  it('keeps unknown units as words, replaces invalid characters and guards a leading digit', () => {
    expect(prometheusMetricName('disk.read', 'sectors', 'counter')).toBe('disk_read_sectors_total');
    expect(prometheusMetricName('temp-sensor.value', 'Cel', 'gauge')).toBe('temp_sensor_value_celsius');
    expect(prometheusMetricName('2xx.responses', '{response}', 'counter')).toBe('_2xx_responses_total');
  });
});

describe('prometheusUnit', () => {
  it('is the word the name ends with, or nothing for annotations and dimensionless units', () => {
    expect(prometheusUnit('s')).toBe('seconds');
    expect(prometheusUnit('By')).toBe('bytes');
    expect(prometheusUnit('By/s')).toBe('bytes_per_second');
    expect(prometheusUnit('{connection}')).toBe('');
    expect(prometheusUnit('1')).toBe('');
    expect(prometheusUnit('')).toBe('');
  });
});
