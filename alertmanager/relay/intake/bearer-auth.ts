// Bearer-token check for the webhook. Several tokens are accepted at once so a token can be rotated without a gap;
// each comparison takes the same time whatever the token, so timing does not reveal how much of it matched.
import { createHash, timingSafeEqual } from 'node:crypto';

// Comparing SHA-256 digests gives equal-length buffers, so timingSafeEqual never throws and length leaks nothing.
const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export interface BearerAuth {
  /** True when the Authorization header carries one of the accepted tokens. */
  allows(authorizationHeader: string | undefined): boolean;
}

export function createBearerAuth(tokens: readonly string[]): BearerAuth {
  const accepted = tokens.map(digest);
  return {
    allows(header) {
      const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
      const presented = digest(match?.[1] ?? '');
      let ok = false;
      // No early exit: every accepted token is compared.
      for (const token of accepted) ok = timingSafeEqual(token, presented) || ok;
      return ok && match !== null;
    },
  };
}
