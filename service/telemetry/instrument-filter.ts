import { createNoopMeter, type Meter, type MeterProvider } from '@opentelemetry/api';

/**
 * A MeterProvider that hands out the real meters, except that the instruments `drop` names are no-ops. A View that
 * drops a metric still costs each measurement its attribute hashing; an instrument that is a no-op costs nothing.
 * For the instrumentations' metrics that span-free recorders serve instead (instrumentations.ts).
 */
export function withoutInstruments(provider: MeterProvider, drop: (instrumentName: string) => boolean): MeterProvider {
  const noop = createNoopMeter();
  return {
    getMeter(name, version, options): Meter {
      const meter = provider.getMeter(name, version, options);
      return new Proxy(meter, {
        get(target, property, receiver) {
          const value: unknown = Reflect.get(target, property, receiver);
          if (typeof value !== 'function') return value;
          if (typeof property === 'string' && property.startsWith('create')) {
            const create = property as keyof Meter & `create${string}`;
            return (instrumentName: string, instrumentOptions?: object) =>
              drop(instrumentName) ? (noop[create] as (n: string, o?: object) => unknown)(instrumentName, instrumentOptions) : (value as (n: string, o?: object) => unknown).call(target, instrumentName, instrumentOptions);
          }
          return (value as (...args: unknown[]) => unknown).bind(target);
        },
      });
    },
  };
}
