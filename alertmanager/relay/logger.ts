// JSON logs with pino. Secrets are kept out twice over: known secret-bearing keys are redacted by path, and every
// written line is scrubbed of the configured secret values, whatever key or message they turned up in.
import { pino, stdSerializers, type Logger } from 'pino';
import type { SecretScrubber } from './secret-scrubber.ts';

export type { Logger };

export function createRelayLogger(level: string, scrubber: SecretScrubber, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: 'alert-relay',
      level,
      serializers: { err: stdSerializers.err },
      redact: {
        paths: ['webhookUrl', '*.webhookUrl', 'password', '*.password', 'pass', '*.pass', 'authorization', 'headers.authorization', 'req.headers.authorization', 'token', 'bearerTokens'],
        censor: '[redacted]',
      },
      hooks: { streamWrite: (line) => scrubber.scrub(line) },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
