// `npm run service`: the order service alone. Telemetry starts first, so that its instrumentation is in place
// before express and pg are loaded; the rest of the service is imported only after that.
import { ConfigError, loadServiceConfig } from './config.ts';
import { prepareHeapSnapshots } from './diagnostics/heap-snapshots.ts';
import { createLogger } from './logger.ts';
import { startTelemetry, TelemetryConfigError } from './telemetry/index.ts';

let config;
try {
  config = loadServiceConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
const logger = createLogger(config.serviceName, config.logLevel);
prepareHeapSnapshots(config.heapSnapshots, logger);
const telemetry = await startTelemetry(config.telemetry).catch((error: unknown) => {
  if (!(error instanceof TelemetryConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
});
logger.info({ metrics: telemetry.metricsUrl ?? 'not served', instrumentations: [...telemetry.instrumentations] }, telemetry.enabled ? 'telemetry started' : 'telemetry disabled (OTEL_SDK_DISABLED)');
const { startService } = await import('./service.ts');
const service = await startService(config, logger, telemetry);

let signalled = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long; exiting with work left in the database');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    service
      .stop()
      .then(() => telemetry.shutdown())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  });
}
