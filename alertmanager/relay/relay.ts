// Puts the relay together: the outbox, the webhook intake, one delivery worker per destination, the HTTP server
// (webhook, /metrics, /healthz, /readyz), config reload and graceful shutdown. Everything mutable lives in here.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { notificationView } from './alert-view.ts';
import type { RelayConfig } from './config.ts';
import { DeliveryWorker } from './delivery/delivery-worker.ts';
import { RateLimiter } from './delivery/rate-limiter.ts';
import { createEmailSender, createSmtpTransport } from './email/email-sender.ts';
import { AlertGraphs } from './graphs/alert-graphs.ts';
import { handleGraphRequest } from './graphs/graph-handler.ts';
import { graphPathPrefix, slackGraphImages } from './graphs/slack-graph-images.ts';
import { escalationPolicyFor } from './escalation/escalation-policy.ts';
import { Escalator } from './escalation/escalator.ts';
import { IncidentActions } from './interactivity/incident-actions.ts';
import { incidentButtons } from './interactivity/incident-buttons.ts';
import { createInteractionHandler } from './interactivity/interaction-handler.ts';
import { SlackSignatureVerifier } from './interactivity/slack-signature.ts';
import { createBearerAuth, type BearerAuth } from './intake/bearer-auth.ts';
import { createWebhookHandler } from './intake/webhook-handler.ts';
import { createRelayMetrics, type RelayMetrics } from './metrics.ts';
import { OutboxStore, type SlackThread } from './outbox/outbox-store.ts';
import { OutboxWriter } from './outbox/outbox-writer.ts';
import type { RoutedDelivery } from './routing.ts';
import type { SecretScrubber } from './secret-scrubber.ts';
import { buildSlackMessage, type SlackMessage } from './slack/slack-message.ts';
import { createSlackAppClient, type SlackAppClient } from './slack/slack-app-client.ts';
import { createSlackAppSender } from './slack/slack-app-sender.ts';
import { buildParentMessage } from './slack/slack-thread-message.ts';
import { createSlackSender } from './slack/slack-sender.ts';
import { WatchdogMonitor } from './watchdog/watchdog-monitor.ts';

export interface Relay {
  /** http://host:port */
  url: string;
  port: number;
  metrics: RelayMetrics;
  store: OutboxStore;
  /** Applies a new, already validated config (SIGHUP). Listen address and outbox path need a restart. */
  reload(config: RelayConfig): Promise<void>;
  /** Stops intake, drains what is due within the grace period, keeps the rest in the outbox. */
  stop(): Promise<void>;
}

export interface RelayDeps {
  logger: Logger;
  scrubber: SecretScrubber;
  /** The process's runtime metrics in the Prometheus text format, served on /metrics after the relay's own. */
  runtimeMetrics?: () => Promise<string>;
}

const digestMaxPerMessage = 200;

export async function startRelayServer(initial: RelayConfig, { logger, scrubber, runtimeMetrics }: RelayDeps): Promise<Relay> {
  let config = initial;
  let auth: BearerAuth = createBearerAuth(config.bearerTokens);
  let accepting = true;
  scrubber.set(config.secrets);

  const store = new OutboxStore(config.outbox.path);
  const writer = new OutboxWriter(store, () => config.intake.dedupWindowSeconds * 1000);
  let watchdog: WatchdogMonitor | undefined;
  const metrics = createRelayMetrics(
    () => store.depth(),
    () => watchdog?.lastSeen,
  );

  // The 503 check runs per request; the count is refreshed at most every 250 ms.
  let depthCache = { value: 0, at: 0 };
  const outboxDepth = (): number => {
    const now = Date.now();
    if (now - depthCache.at > 250) depthCache = { value: store.totalPending(), at: now };
    return depthCache.value;
  };

  let transport: Transporter | undefined;
  let workers = new Map<string, DeliveryWorker>();

  /** Slack app clients by destination name (app mode), for the senders and the interactivity endpoint. */
  let slackApps = new Map<string, SlackAppClient>();
  const renderParent = (thread: SlackThread, cfg: RelayConfig): SlackMessage => {
    const view = notificationView(thread.payload, thread.alertIndexes, cfg.alertmanagerUrl);
    // Buttons only where presses can come back (interactivity configured); Silence needs Alertmanager's API.
    const actions = cfg.slackApp ? incidentButtons(view, { acknowledged: thread.ackedBy !== undefined, canSilence: cfg.alertmanagerUrl !== undefined }) : undefined;
    return buildParentMessage(view, thread.images, { ackedBy: thread.ackedBy, ackedAt: thread.ackedAt, ...(actions ? { actions } : {}) });
  };

  function createWorkers(cfg: RelayConfig): Map<string, DeliveryWorker> {
    slackApps = new Map();
    const created = new Map<string, DeliveryWorker>();
    const backoff = { baseMs: cfg.delivery.backoffBaseSeconds * 1000, maxMs: cfg.delivery.backoffMaxSeconds * 1000 };
    const scrub = (text: string): string => scrubber.scrub(text);
    const graphs = cfg.graphs
      ? new AlertGraphs(cfg.graphs, { outcome: (outcome) => metrics.graphs.inc({ outcome }), renderSeconds: (s) => metrics.graphRenderSeconds.observe(s) }, logger)
      : undefined;
    for (const dest of cfg.slack.values()) {
      if (dest.mode === 'app') {
        const client = createSlackAppClient(dest, logger);
        slackApps.set(dest.name, client);
        const sender = createSlackAppSender({
          client,
          store,
          alertmanagerUrl: cfg.alertmanagerUrl,
          images: (d) => slackGraphImages(graphs, store, d, logger),
          renderParent: (thread) => renderParent(thread, cfg),
          escalationFor: (d) => escalationPolicyFor(cfg, d.payload, dest.name),
          stored: (deliveries) => stored(deliveries),
          logger,
        });
        created.set(`slack:${dest.name}`, new DeliveryWorker({ store, sender, limiter: new RateLimiter(dest.ratePerSecond, dest.burst), backoff, metrics, logger, scrub }));
        continue;
      }
      const sender = createSlackSender(dest, async (d) => buildSlackMessage(notificationView(d.payload, d.alertIndexes, cfg.alertmanagerUrl), await slackGraphImages(graphs, store, d, logger)));
      created.set(`slack:${dest.name}`, new DeliveryWorker({ store, sender, limiter: new RateLimiter(dest.ratePerSecond, dest.burst), backoff, metrics, logger, scrub }));
    }
    if (cfg.smtp && cfg.email.size > 0) {
      transport = createSmtpTransport(cfg.smtp);
      for (const dest of cfg.email.values()) {
        const sender = createEmailSender({ destination: dest, smtp: cfg.smtp, transport, alertmanagerUrl: cfg.alertmanagerUrl, graphs });
        const digest = dest.mode === 'digest' ? { intervalMs: dest.digestIntervalSeconds * 1000, maxPerMessage: digestMaxPerMessage } : undefined;
        created.set(`email:${dest.name}`, new DeliveryWorker({ store, sender, limiter: new RateLimiter(dest.ratePerSecond, dest.burst), backoff, metrics, logger, scrub, digest }));
      }
    }
    return created;
  }

  async function stopWorkers(graceMs: number): Promise<void> {
    await Promise.all([...workers.values()].map((w) => w.stop(graceMs)));
    transport?.close();
    transport = undefined;
  }

  workers = createWorkers(config);
  for (const w of workers.values()) w.start();

  const stored = (deliveries: readonly RoutedDelivery[]): void => {
    depthCache.value += deliveries.length;
    for (const d of deliveries) workers.get(`${d.channel}:${d.destination}`)?.wake();
  };
  const startWatchdog = (cfg: RelayConfig): WatchdogMonitor | undefined => {
    if (!cfg.watchdog) return undefined;
    const monitor = new WatchdogMonitor({ config: cfg.watchdog, store, writer, logger, stored });
    monitor.start();
    return monitor;
  };
  watchdog = startWatchdog(config);
  const escalator = new Escalator({ store, config: () => config, metrics, logger, stored: (deliveries) => stored(deliveries) });
  escalator.start();

  const incidentActions = new IncidentActions({
    store,
    client: (destination) => slackApps.get(destination),
    renderParent: (thread) => renderParent(thread, config),
    alertmanagerUrl: () => config.alertmanagerUrl,
    metrics,
    logger,
  });
  const handleInteraction = createInteractionHandler({
    verifier: new SlackSignatureVerifier(() => config.slackApp?.signingSecret ?? ''),
    store,
    actions: incidentActions,
    metrics,
    logger,
  });
  let silencePoll: NodeJS.Timeout | undefined;
  const startSilencePoll = (cfg: RelayConfig): void => {
    clearInterval(silencePoll);
    silencePoll = undefined;
    if (!cfg.slackApp) return;
    let polling = false;
    silencePoll = setInterval(() => {
      if (polling) return;
      polling = true;
      incidentActions
        .pollSilences()
        .catch((error: unknown) => logger.warn({ err: error }, 'cannot check the silences in Alertmanager'))
        .finally(() => (polling = false));
    }, cfg.slackApp.silencePollSeconds * 1000);
    silencePoll.unref();
  };
  startSilencePoll(config);

  const handleWebhook = createWebhookHandler({
    config: () => config,
    auth: () => auth,
    writer,
    metrics,
    logger,
    outboxDepth,
    accepting: () => accepting,
    stored,
    received: (receiver) => {
      if (watchdog && receiver === watchdog.receiver) void watchdog.seen();
    },
  });

  // Requests being handled, so that shutdown answers each of them before it closes the outbox and the sockets.
  let inFlight = 0;
  let whenIdle: Array<() => void> = [];
  const requestDone = (): void => {
    inFlight -= 1;
    if (inFlight === 0) for (const notify of whenIdle.splice(0)) notify();
  };
  /** Resolves once no request is being handled, or at `deadline`, whichever comes first. */
  const requestsFinished = (deadline: number): Promise<void> =>
    inFlight === 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const done = (): void => {
            clearTimeout(timer);
            whenIdle = whenIdle.filter((f) => f !== done);
            resolve();
          };
          const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
          whenIdle.push(done);
        });

  const server: Server = createServer((req, res) => {
    inFlight += 1;
    res.once('close', requestDone);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // While stopping, each answer closes its connection so that keep-alive clients reconnect (elsewhere, or later).
    if (!accepting) res.setHeader('connection', 'close');
    const fail = (error: unknown): void => {
      logger.error({ err: error, path }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error: 'internal error, see the relay log' }));
      else res.destroy();
    };
    if (path === config.webhookPath) {
      handleWebhook(req, res).catch(fail);
    } else if (path === '/api/v1/notifications' && req.method === 'GET') {
      // The history for incident reports; the webhook's bearer token, as it tells what paged whom and when.
      if (!auth.allows(req.headers.authorization)) {
        res.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer realm="alert-relay"' }).end(JSON.stringify({ error: 'missing or wrong bearer token' }));
        return;
      }
      const query = new URL(req.url ?? '/', 'http://relay').searchParams;
      const from = Number(query.get('from'));
      const to = Number(query.get('to') ?? Date.now());
      if (!Number.isFinite(from) || !Number.isFinite(to) || query.get('from') === null || from > to) {
        res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error: 'from and to: Unix milliseconds, from <= to' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ notifications: store.history(from, to) }));
    } else if (path === '/metrics' && req.method === 'GET') {
      Promise.all([metrics.registry.metrics(), runtimeMetrics?.() ?? ''])
        .then(([own, runtime]) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(own + runtime))
        .catch(fail);
    } else if (config.slackApp && path === config.slackApp.interactivityPath) {
      handleInteraction(req, res).catch(fail);
    } else if (path.startsWith(graphPathPrefix)) {
      handleGraphRequest(req, res, path, store);
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      // Ready while taking webhooks and the outbox answers; while stopping, told when to come back.
      if (!accepting) {
        res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' }).end('not ready: shutting down\n');
        return;
      }
      let ready = true;
      try {
        store.totalPending();
      } catch {
        ready = false;
      }
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready\n' : 'not ready\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listen.port, config.listen.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const prune = setInterval(() => {
    try {
      store.prune(Date.now(), config.outbox.retainDeliveredHours * 3_600_000, Math.max(config.intake.dedupWindowSeconds * 1000, 60_000));
    } catch (error) {
      logger.warn({ err: error }, 'outbox prune failed');
    }
  }, 600_000);
  prune.unref();

  logger.info({ port, webhookPath: config.webhookPath, destinations: [...workers.keys()], outbox: config.outbox.path }, 'alert relay listening');

  return {
    url: `http://${config.listen.host}:${port}`,
    port,
    metrics,
    store,
    async reload(next) {
      if (next.listen.port !== config.listen.port || next.listen.host !== config.listen.host || next.outbox.path !== config.outbox.path) {
        logger.warn('listen address and outbox path changes take effect only after a restart');
      }
      next = { ...next, listen: config.listen, outbox: config.outbox };
      await stopWorkers(0);
      scrubber.set([...config.secrets, ...next.secrets]);
      config = next;
      auth = createBearerAuth(next.bearerTokens);
      workers = createWorkers(next);
      for (const w of workers.values()) w.start();
      watchdog?.stop();
      watchdog = startWatchdog(next);
      startSilencePoll(next);
      scrubber.set(next.secrets);
      logger.info({ destinations: [...workers.keys()] }, 'configuration reloaded');
    },
    async stop() {
      accepting = false;
      clearInterval(prune);
      clearInterval(silencePoll);
      escalator.stop();
      watchdog?.stop();
      // Keep listening while deliveries drain and requests in flight finish (up to the grace period): new webhooks and
      // /readyz are answered 503 with Retry-After (Alertmanager retries, a balancer moves on) instead of finding the
      // port closed, and a webhook that arrived before the signal is stored and answered, not cut off.
      const graceMs = config.delivery.shutdownGraceSeconds * 1000;
      const deadline = Date.now() + graceMs;
      await Promise.all([stopWorkers(graceMs), requestsFinished(deadline)]);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await requestsFinished(deadline); // those that came in while the deliveries drained
      server.closeAllConnections();
      await closed;
      store.close();
      logger.info({ left: 'in the outbox for the next start' }, 'alert relay stopped');
    },
  };
}
