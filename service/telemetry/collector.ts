import type { Meter } from '@opentelemetry/api';

/**
 * The one shape every metric source here has (as in instrumentation-runtime-node and prom-client's
 * lib/metrics): it creates its instruments on the meter it is given and returns how to stop it (observers,
 * timers, listeners), so telemetry shutdown leaves nothing running.
 */
export type Collector = (meter: Meter) => StopCollector;
export type StopCollector = () => void;

export const nothingToStop: StopCollector = () => {};

/** Several collectors as one: started in order, stopped together. */
export const allOf =
  (...collectors: Collector[]): Collector =>
  (meter) => {
    const stops = collectors.map((collector) => collector(meter));
    return () => {
      for (const stop of stops) stop();
    };
  };
