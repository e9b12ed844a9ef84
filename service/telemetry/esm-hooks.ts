import { register } from 'node:module';

/**
 * Lets the auto-instrumentations patch packages loaded with `import` (ESM): require-in-the-middle only sees
 * require(). import-in-the-middle's loader hook, registered here before the service imports express and pg,
 * wraps those modules so the instrumentations' hooks run when they load. Only the instrumented packages are
 * wrapped (the wrapper costs a little at load and some packages dislike it).
 */
export function registerEsmHooks(packages: string[]): void {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: packages } });
}
