// Brings up the whole chain on loopback with the repository's configs, in dependency order: Slack stand-in and
// SMTP sink (unless real ones are configured), the alert relay, Alertmanager, the order service replicas, then
// Prometheus (which scrapes them all). Stops in reverse order. Used by `npm start` and by tests of the launcher.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { startAlertmanagerPair } from './alertmanager-pair.ts';
import { startAlertmanager, type AlertmanagerProcess } from './alertmanager-process.ts';
import { freePort } from '../common/free-port.ts';
import { superviseOrderService, type SupervisedOrderService } from './order-service-supervisor.ts';
import { startPrometheus, type PrometheusProcess } from './prometheus-process.ts';
import { startRelay, type RelayProcess } from './relay-process.ts';
import { ensureRelayToken } from './relay-token.ts';
import { startSlackStandIn, type SlackStandIn } from '../test/support/stand-ins/slack-stand-in.ts';
import { startSmtpSink, type SmtpSink } from '../test/support/stand-ins/smtp-sink.ts';
import type { StackConfig } from './stack-config.ts';
import type { ManagedProcess } from './child-process.ts';
import type { RestartBackoff } from './restart-backoff.ts';

export interface RunningStack {
  urls: Array<{ what: string; url: string }>;
  /** Supervised: a replica that dies is restarted on the same ports (its `process` is then a new one). */
  orderServices: SupervisedOrderService[];
  prometheus: PrometheusProcess;
  /** The first (or only) Alertmanager. */
  alertmanager: AlertmanagerProcess;
  /** Every Alertmanager: one, or the two peers of an HA pair (ALERTMANAGER_HA). */
  alertmanagers: AlertmanagerProcess[];
  relay: RelayProcess;
  slackStandIn: SlackStandIn | undefined;
  smtpSink: SmtpSink | undefined;
  stop(): Promise<void>;
}

export interface StartStackOptions {
  echo?: boolean;
  /** Aborting (Ctrl-C while starting) stops what has started and rejects. */
  signal?: AbortSignal;
  /** More environment for every order-service replica (tests: small pools that faults saturate quickly). */
  serviceEnv?: Record<string, string>;
  /** More environment for the relay (tests: a short digest interval). */
  relayEnv?: Record<string, string>;
  /** How replicas that die are restarted (tests: shorter delays). */
  restartBackoff?: RestartBackoff;
}

export async function startStack(config: StackConfig, log: Logger, options: StartStackOptions = {}): Promise<RunningStack> {
  const stops: Array<{ what: string; stop: () => Promise<void> }> = [];
  const stopAll = async (): Promise<void> => {
    for (const { what, stop } of stops.splice(0).reverse()) {
      try {
        await stop();
        log.info({ component: what }, 'stopped');
      } catch (error) {
        log.error({ component: what, err: error }, 'failed to stop');
      }
    }
  };
  const watch = (what: string, managed: ManagedProcess): void => {
    // A component that dies while the stack runs is reported (an OOM-killed service is something to watch on the
    // dashboards, not a reason to tear the rest down).
    void managed.exited.then((code) => {
      if (stops.some((s) => s.what === what)) log.error({ component: what, exit: code, output: managed.output().split('\n').slice(-5) }, 'exited unexpectedly');
    });
  };
  const echo = options.echo ?? false;
  const started = (what: string, stop: () => Promise<void>): void => {
    stops.push({ what, stop });
    options.signal?.throwIfAborted();
  };
  try {
    let slackStandIn: SlackStandIn | undefined;
    let slackWebhookUrl = config.relay.slackWebhookUrl;
    if (slackWebhookUrl === undefined) {
      // What on-call would have seen in Slack, shown in the launcher's log: the top-level text phones display.
      slackStandIn = await startSlackStandIn({
        rateLimit: { perSecond: 1, burst: 3 },
        onRequest: (request) => {
          const text = (request.payload as { text?: unknown } | undefined)?.text;
          log.info({ component: 'slack-stand-in', status: request.status, text: typeof text === 'string' ? text : undefined }, 'Slack page received');
        },
      });
      started('slack-stand-in', () => slackStandIn!.close());
      slackWebhookUrl = slackStandIn.url;
    }
    let smtpSink: SmtpSink | undefined;
    let smtp = { host: config.relay.smtpHost ?? '127.0.0.1', port: config.relay.smtpPort };
    if (config.relay.smtpHost === undefined) {
      smtpSink = await startSmtpSink({
        port: config.relay.smtpPort,
        onMessage: (mail) => log.info({ component: 'smtp-sink', to: mail.to, subject: mail.parsed.subject }, 'email received'),
      });
      started('smtp-sink', () => smtpSink!.close());
      smtp = { host: smtpSink.host, port: smtpSink.port };
    }

    const token = ensureRelayToken(config.relay.tokenFile);
    mkdirSync(join(config.dataDir, 'relay'), { recursive: true });
    const relay = await startRelay({ port: config.relay.port, outboxDir: join(config.dataDir, 'relay'), bearerToken: token, slackWebhookUrl, smtp, echo,
      env: {
        ALERTMANAGER_URL: `http://127.0.0.1:${config.alertmanager.port}`,
        // Graphs in pages: the stack's Prometheus (started after the relay; a page before it is up goes without),
        // and the Slack stand-in fetches the images from the relay itself.
        PROMETHEUS_URL: `http://127.0.0.1:${config.prometheus.port}`,
        RELAY_PUBLIC_URL: `http://127.0.0.1:${config.relay.port}`,
        LOG_LEVEL: config.logLevel,
        ...options.relayEnv,
      } });
    watch('alert-relay', relay.process);
    started('alert-relay', () => relay.stop());

    const alertmanagerOptions = { configFile: config.alertmanager.configFile, webhookOrigin: relay.url, credentialsFile: config.relay.tokenFile, echo };
    let alertmanagers: AlertmanagerProcess[];
    if (config.alertmanager.peerPort === undefined) {
      const single = await startAlertmanager({ ...alertmanagerOptions, port: config.alertmanager.port, dataDir: join(config.dataDir, 'alertmanager') });
      started('alertmanager', () => single.stop());
      alertmanagers = [single];
    } else {
      // Each peer its own notification log and silences, shared by gossip.
      const dataDirs: [string, string] = [join(config.dataDir, 'alertmanager'), join(config.dataDir, 'alertmanager-2')];
      for (const dir of dataDirs) mkdirSync(dir, { recursive: true });
      const pair = await startAlertmanagerPair({ ...alertmanagerOptions, ports: [config.alertmanager.port, config.alertmanager.peerPort], dataDirs });
      started('alertmanagers', () => pair.stop());
      alertmanagers = [...pair.peers];
    }
    for (const am of alertmanagers) watch(alertmanagers.length === 1 ? 'alertmanager' : 'alertmanagers', am.process);
    const alertmanager = alertmanagers[0]!;

    // Replica 0 owns the embedded PostgreSQL (persistent under the data dir); the others share it, as replicas
    // behind a load balancer share one database.
    const orderServices: SupervisedOrderService[] = [];
    const embeddedPgPort = config.orderService.embeddedPgPort ?? (await freePort());
    let databaseUrl = config.orderService.databaseUrl;
    for (let i = 0; i < config.orderService.replicas; i++) {
      const name = `order-service-${i + 1}`;
      const env: Record<string, string> = { FAULT_INJECTION: String(config.orderService.faultInjection), LOG_LEVEL: config.logLevel, ...options.serviceEnv };
      if (databaseUrl !== undefined) env.DATABASE_URL = databaseUrl;
      else env.EMBEDDED_PG_PORT = String(embeddedPgPort);
      // Node flags, as a container's NODE_OPTIONS would set them: the heap cap, and a heap snapshot near it.
      const nodeArgs: string[] = [];
      if (config.orderService.maxOldSpaceMb !== undefined) nodeArgs.push(`--max-old-space-size=${config.orderService.maxOldSpaceMb}`);
      const heapSnapshotDir = config.orderService.heapSnapshotCount > 0 ? join(config.orderService.heapSnapshotDir, name) : undefined;
      if (heapSnapshotDir !== undefined) {
        mkdirSync(heapSnapshotDir, { recursive: true });
        nodeArgs.push(`--heapsnapshot-near-heap-limit=${config.orderService.heapSnapshotCount}`, `--diagnostic-dir=${heapSnapshotDir}`);
      }
      const service = await superviseOrderService(
        {
          name,
          port: config.orderService.port + i,
          metricsPort: config.orderService.metricsPort + i,
          ...(i === 0 ? { dataDir: join(config.dataDir, 'service') } : {}),
          env,
          nodeArgs,
          echo,
          ...(heapSnapshotDir !== undefined ? { heapSnapshotDir } : {}),
          ...(options.restartBackoff ? { backoff: options.restartBackoff } : {}),
        },
        log,
      );
      orderServices.push(service);
      started(name, () => service.stop());
      databaseUrl ??= `postgres://postgres:postgres@127.0.0.1:${embeddedPgPort}/orders`;
    }

    const prometheus = await startPrometheus({
      configFile: config.prometheus.configFile,
      port: config.prometheus.port,
      dataDir: join(config.dataDir, 'prometheus'),
      targets: {
        'order-service': orderServices.map((s) => new URL(s.metricsUrl).host),
        'alert-relay': [new URL(relay.url).host],
        alertmanager: alertmanagers.map((am) => new URL(am.url).host),
      },
      // Prometheus sends every alert to every peer; the peers decide by gossip which one notifies.
      alertmanagers: alertmanagers.map((am) => new URL(am.url).host),
      echo,
    });
    watch('prometheus', prometheus.process);
    started('prometheus', () => prometheus.stop());

    const urls = [
      ...orderServices.flatMap((s, i) => [
        { what: `order service ${i + 1} API`, url: s.apiUrl },
        { what: `order service ${i + 1} metrics`, url: s.metricsUrl },
      ]),
      { what: 'Prometheus', url: prometheus.url },
      { what: 'Prometheus alerts', url: `${prometheus.url}/alerts` },
      ...alertmanagers.map((am, i) => ({ what: alertmanagers.length === 1 ? 'Alertmanager' : `Alertmanager peer ${i + 1}`, url: am.url })),
      { what: 'alert relay', url: relay.url },
      ...(slackStandIn ? [{ what: 'Slack stand-in (pages)', url: `http://127.0.0.1:${slackStandIn.port}` }] : []),
      ...(smtpSink ? [{ what: 'SMTP sink (emails)', url: `smtp://${smtpSink.host}:${smtpSink.port}` }] : []),
    ];
    return { urls, orderServices, prometheus, alertmanager, alertmanagers, relay, slackStandIn, smtpSink, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
