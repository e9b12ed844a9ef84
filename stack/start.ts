// `npm start` / `npm run stack`: the whole chain on loopback (order service replicas, Prometheus, Alertmanager,
// the alert relay with its Slack stand-in and SMTP sink), printing where each one is; Ctrl-C stops them all.
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadStackConfig, StackConfigError } from './stack-config.ts';
import { startStack } from './stack.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

async function main(): Promise<void> {
  let config;
  try {
    config = loadStackConfig(process.env, root);
  } catch (error) {
    if (error instanceof StackConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const log = pino({ name: 'stack', level: config.logLevel });
  const starting = new AbortController();
  let stack: Awaited<ReturnType<typeof startStack>> | undefined;
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping the stack');
    // While starting, the abort makes startStack stop what it has started and reject (handled below).
    if (stack === undefined) starting.abort(new Error(`${signal} while starting`));
    else void stack.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  log.info({ replicas: config.orderService.replicas, faultInjection: config.orderService.faultInjection }, 'starting the stack');
  try {
    stack = await startStack(config, log, { echo: config.logLevel === 'debug' || config.logLevel === 'trace', signal: starting.signal });
  } catch (error) {
    if (starting.signal.aborted) process.exit(0);
    log.fatal({ err: error }, 'the stack did not start');
    process.exit(1);
  }
  const width = Math.max(...stack.urls.map((u) => u.what.length));
  process.stdout.write(`\nThe stack is up (Ctrl-C stops it):\n${stack.urls.map((u) => `  ${u.what.padEnd(width)}  ${u.url}`).join('\n')}\n\n`);
}

await main();
