// `npm run relay -- --config <file>` (or RELAY_CONFIG=<file>; neither: relay.example.yml beside this file, the
// config of `npm start`): the alert relay process. SIGHUP reloads the config
// (an invalid one is logged and the running one kept); SIGTERM/SIGINT drain and stop.
import { fileURLToPath } from 'node:url';
import { ConfigError, configPathFrom, loadRelayConfig, type RelayConfig } from './config.ts';
import { createRelayLogger } from './logger.ts';
import { startRelayServer } from './relay.ts';
import { SecretScrubber } from './secret-scrubber.ts';
import { startTelemetry, TelemetryConfigError } from '../../service/telemetry/index.ts';

const configPath = (() => {
  try {
    return configPathFrom(process.argv.slice(2), process.env, fileURLToPath(new URL('./relay.example.yml', import.meta.url)));
  } catch (error) {
    process.stderr.write(`alert-relay: ${(error as Error).message}\n`);
    process.exit(2);
  }
})();

let config: RelayConfig;
try {
  config = loadRelayConfig(configPath);
} catch (error) {
  // Config errors name the key; they never contain secret values (those are only read, never echoed).
  process.stderr.write(`alert-relay: ${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(2);
}

const scrubber = new SecretScrubber();
scrubber.set(config.secrets);
const logger = createRelayLogger(process.env.LOG_LEVEL ?? config.logLevel, scrubber);
logger.info({ config: configPath }, 'configuration loaded');
// Runtime metrics (heap, GC, event loop, process) under the names every Node service of ours serves, answered on
// the relay's own /metrics; the relay loads nothing else worth instrumenting. The OTEL_* variables apply.
const telemetry = await startTelemetry({ serviceName: 'alert-relay', instrumentations: ['runtime-node'] }).catch((error: unknown) => {
  if (!(error instanceof TelemetryConfigError)) throw error;
  process.stderr.write(`alert-relay: ${error.message}\n`);
  process.exit(2);
});
const relay = await startRelayServer(config, { logger, scrubber, runtimeMetrics: () => telemetry.renderMetrics() });

let reloading = Promise.resolve();
process.on('SIGHUP', () => {
  reloading = reloading.then(async () => {
    let next: RelayConfig;
    try {
      next = loadRelayConfig(configPath);
    } catch (error) {
      logger.error({ error: error instanceof Error ? error.message : String(error) }, 'config reload failed; keeping the running config');
      return;
    }
    await relay.reload(next);
  });
});

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  relay
    .stop()
    .then(() => telemetry.shutdown())
    .then(() => logger.flush(() => process.exit(0)))
    .catch((error: unknown) => {
      logger.error({ err: error }, 'stop failed');
      logger.flush(() => process.exit(1));
    });
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
