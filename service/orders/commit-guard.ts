import type { Response } from 'express';
import type { AbandonReason } from '../admission/admission-metrics.ts';

/**
 * Decides, with a DB connection in hand, whether an order request may still be committed: not once its client
 * has gone or its deadline has passed. At the deadline it answers 503 itself (through `onDeadline`) if the
 * commit has not begun, so no client waits past it; once the commit has begun the deadline no longer answers,
 * so a 503 is never sent for an order that is then stored.
 *
 * What remains is the INSERT's own execution (about a millisecond): a client that leaves then has its order
 * stored, as does one that leaves while its 201 is on the wire. Idempotency-Key is the client's cure for both.
 */
export class CommitGuard {
  #state: 'waiting' | 'committing' | AbandonReason = 'waiting';
  readonly #timer: NodeJS.Timeout;
  readonly #onAbandon: (reason: AbandonReason) => void;

  constructor(res: Response, deadlineMs: number, hooks: { onDeadline(): void; onAbandon(reason: AbandonReason): void }) {
    this.#onAbandon = hooks.onAbandon;
    this.#timer = setTimeout(() => {
      if (this.#state !== 'waiting') return;
      this.#state = 'deadline';
      hooks.onDeadline();
    }, deadlineMs);
    res.once('close', () => {
      clearTimeout(this.#timer);
      if (this.#state === 'waiting' && !res.writableFinished) this.#state = 'client_gone';
    });
  }

  /**
   * True: commit now (the deadline will not answer any more). False: drop the order; the client is gone or
   * has been answered 503.
   */
  enterCommit(): boolean {
    if (this.#state !== 'waiting') {
      this.#onAbandon(this.#state === 'committing' ? 'deadline' : this.#state);
      return false;
    }
    this.#state = 'committing';
    clearTimeout(this.#timer);
    return true;
  }

  /** The request ended without reaching the commit (validation failed, DB error): stop the deadline. */
  dispose(): void {
    clearTimeout(this.#timer);
  }
}
