// Slack's request signing (https://api.slack.com/authentication/verifying-requests-from-slack): the signature is
// `v0=` + hex HMAC-SHA256 of `v0:<X-Slack-Request-Timestamp>:<raw body>` with the app's signing secret. A
// request older or newer than 5 minutes is refused (a captured request cannot be replayed later), and one seen
// before within that window is refused too (nor replayed sooner). Compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const replayWindowSeconds = 300;

export type SignatureCheck = 'valid' | 'missing' | 'stale' | 'forged' | 'replayed';

export function slackSignature(signingSecret: string, timestamp: string, body: string | Buffer): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
}

export class SlackSignatureVerifier {
  readonly #secret: () => string;
  /** Signatures accepted within the window, with when they stop mattering (their timestamp + window). */
  readonly #seen = new Map<string, number>();

  constructor(signingSecret: () => string) {
    this.#secret = signingSecret;
  }

  check(timestampHeader: string | undefined, signatureHeader: string | undefined, body: Buffer, nowMs = Date.now()): SignatureCheck {
    if (!timestampHeader || !signatureHeader) return 'missing';
    if (!/^\d{1,12}$/.test(timestampHeader)) return 'forged';
    const timestamp = Number(timestampHeader);
    if (Math.abs(nowMs / 1000 - timestamp) > replayWindowSeconds) return 'stale';
    const expected = Buffer.from(slackSignature(this.#secret(), timestampHeader, body), 'utf8');
    const given = Buffer.from(signatureHeader, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'forged';
    for (const [sig, until] of this.#seen) if (until < nowMs / 1000) this.#seen.delete(sig);
    if (this.#seen.has(signatureHeader)) return 'replayed';
    this.#seen.set(signatureHeader, timestamp + replayWindowSeconds);
    return 'valid';
  }
}
