// A real SMTP server (smtp-server) that parses what it receives (mailparser) and keeps it: the local mail sink of
// `npm start` and the relay tests' mail server. Tests script its replies: temporary (4yz) or permanent (5yz)
// failures at MAIL FROM, RCPT TO or DATA, outages, and authentication.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';

export type SmtpStage = 'mail' | 'rcpt' | 'data';

export interface SmtpFailure {
  stage: SmtpStage;
  /** 4yz (temporary) or 5yz (permanent) reply code. */
  code: number;
  message?: string;
}

export interface ReceivedMail {
  at: number;
  from: string;
  to: string[];
  raw: string;
  parsed: ParsedMail;
}

export interface SmtpSinkOptions {
  host?: string;
  port?: number;
  /** Requires AUTH PLAIN/LOGIN with these credentials (over plain TCP: a loopback test server). */
  auth?: { user: string; pass: string };
  onMessage?: (mail: ReceivedMail) => void;
}

export interface SmtpSink {
  host: string;
  port: number;
  received: ReceivedMail[];
  /** Fails the next transactions at the given stage, in order, then answers normally again. */
  failNext(...failures: SmtpFailure[]): void;
  /** Fails every transaction this way until called with undefined. */
  setOutage(failure: SmtpFailure | undefined): void;
  /** Rejects (550) recipients matching this pattern until called with undefined. */
  rejectRecipients(pattern: RegExp | undefined): void;
  close(): Promise<void>;
}

const failureError = (f: SmtpFailure): Error =>
  Object.assign(new Error(f.message ?? (f.code < 500 ? 'Temporary failure, try again later' : 'Permanent failure')), { responseCode: f.code });

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const host = options.host ?? '127.0.0.1';
  const received: ReceivedMail[] = [];
  const scripted: SmtpFailure[] = [];
  let outage: SmtpFailure | undefined;
  let rejected: RegExp | undefined;
  // A scripted failure applies to one whole transaction: taken at MAIL FROM, fired at its stage.
  const pending = new Map<string, SmtpFailure | undefined>();

  const failAt = (sessionId: string, stage: SmtpStage): Error | undefined => {
    const failure = outage ?? pending.get(sessionId);
    return failure?.stage === stage ? failureError(failure) : undefined;
  };

  const server = new SMTPServer({
    secure: false,
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    logger: false,
    // Pooled clients keep idle connections open; do not wait long for them at close.
    closeTimeout: 1_000,
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onMailFrom(_address, session, callback) {
      pending.set(session.id, outage ? undefined : scripted.shift());
      callback(failAt(session.id, 'mail') ?? null);
    },
    onRcptTo(address, session, callback) {
      const failure = failAt(session.id, 'rcpt');
      if (failure) return callback(failure);
      if (rejected?.test(address.address)) return callback(Object.assign(new Error(`<${address.address}>: Recipient address rejected`), { responseCode: 550 }));
      callback();
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const failure = failAt(session.id, 'data');
        pending.delete(session.id);
        if (failure) return callback(failure);
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            const mail: ReceivedMail = {
              at: Date.now(),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              raw: raw.toString('utf8'),
              parsed,
            };
            received.push(mail);
            options.onMessage?.(mail);
            callback();
          })
          .catch((error: unknown) => callback(error as Error));
      });
    },
  });
  server.on('error', () => {
    // client errors (dropped connections) are the client's business
  });
  server.listen(options.port ?? 0, host);
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;

  return {
    host,
    port,
    received,
    failNext: (...failures) => void scripted.push(...failures),
    setOutage: (failure) => void (outage = failure),
    rejectRecipients: (pattern) => void (rejected = pattern),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
