/**
 * Accepted orders not yet processed, as seconds of work at the pace processing keeps now. Admission control
 * refuses new orders once this passes its bound: creating orders is cheaper than processing them, so a surge
 * admitted at the pace of creation alone leaves a backlog that takes minutes to work off, and orders hang in
 * PENDING and PROCESSING as the seed's did.
 *
 * The pace is orders finished a second over the last `windowSeconds` in which processing was busy: idle seconds
 * say nothing of what it can do, and would make the first seconds of a surge look like a backlog of hours.
 */
export class ProcessingBacklog {
  readonly #windowSeconds: number;
  /** Per second of the window (a ring): orders finished, and whether processing was busy in that second. */
  readonly #finished: number[];
  readonly #busy: boolean[];
  #second: number;
  #waiting: number | undefined;

  constructor(options: { windowSeconds?: number; now?: number } = {}) {
    this.#windowSeconds = options.windowSeconds ?? 10;
    this.#finished = new Array<number>(this.#windowSeconds).fill(0);
    this.#busy = new Array<boolean>(this.#windowSeconds).fill(false);
    this.#second = Math.floor((options.now ?? performance.now()) / 1000);
  }

  /** Orders accepted and not yet processed (PENDING and PROCESSING), as last counted. */
  setWaiting(orders: number): void {
    this.#waiting = orders;
  }

  /** Processing is working on orders now (call when one starts). */
  markBusy(now = performance.now()): void {
    this.#busy[this.#slot(now)] = true;
  }

  /** An order finished processing (completed or failed). */
  recordFinished(now = performance.now()): void {
    const slot = this.#slot(now);
    this.#finished[slot]! += 1;
    this.#busy[slot] = true;
  }

  /** Orders finished a second while busy; undefined before processing was ever busy in the window. */
  perSecond(now = performance.now()): number | undefined {
    this.#slot(now);
    let finished = 0;
    let busySeconds = 0;
    for (let i = 0; i < this.#windowSeconds; i++) {
      if (!this.#busy[i]) continue;
      finished += this.#finished[i]!;
      busySeconds++;
    }
    return busySeconds === 0 ? undefined : finished / busySeconds;
  }

  /**
   * Seconds the waiting orders take at the current pace; 0 with nothing waiting, Infinity when orders wait and
   * nothing finished while busy (processing is stalled: the database or the workers are down).
   */
  seconds(now = performance.now()): number {
    const waiting = this.#waiting ?? 0;
    if (waiting === 0) return 0;
    const pace = this.perSecond(now);
    if (pace === undefined) return 0; // never busy in the window: a fresh start, its first orders are on their way
    return pace === 0 ? Number.POSITIVE_INFINITY : waiting / pace;
  }

  /** Moves the ring to `now`, clearing the seconds that passed, and returns the slot of `now`. */
  #slot(now: number): number {
    const second = Math.floor(now / 1000);
    for (let s = Math.max(this.#second + 1, second - this.#windowSeconds + 1); s <= second; s++) {
      this.#finished[s % this.#windowSeconds] = 0;
      this.#busy[s % this.#windowSeconds] = false;
    }
    this.#second = Math.max(this.#second, second);
    return second % this.#windowSeconds;
  }
}
