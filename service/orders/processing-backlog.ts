/**
 * Accepted orders not yet processed, as seconds of work at the pace processing keeps now. Admission control
 * refuses new orders once this passes its bound: creating orders is cheaper than processing them, so a surge
 * admitted at the pace of creation alone leaves a backlog that takes minutes to work off, and orders hang in
 * PENDING and PROCESSING as the seed's did.
 *
 * The pace is orders finished a second over the last `windowSeconds` in which processing was busy: idle seconds
 * say nothing of what it can do, and would make the first seconds of a surge look like a backlog of hours.
 * Processing that finishes nothing is a stall only after `stallSeconds` of trying: a fresh replica's first order
 * waits for a worker thread to start, which on a busy host takes more than a second (a refusal for an endless
 * backlog there beat the heap guard it was meant to leave alone; test/incident-surge.test.ts).
 */
export class ProcessingBacklog {
  readonly #windowSeconds: number;
  readonly #stallMs: number;
  /** Per second of the window (a ring): orders finished, and whether processing was busy in that second. */
  readonly #finished: number[];
  readonly #busy: boolean[];
  #second: number;
  #waiting: number | undefined;
  /** When processing started trying with nothing finished since; undefined once something finished. */
  #tryingSince: number | undefined;

  constructor(options: { windowSeconds?: number; stallSeconds?: number; now?: number } = {}) {
    this.#windowSeconds = options.windowSeconds ?? 10;
    this.#stallMs = (options.stallSeconds ?? 5) * 1000;
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
    this.#tryingSince ??= now;
  }

  /** An order finished processing (completed or failed). */
  recordFinished(now = performance.now()): void {
    const slot = this.#slot(now);
    this.#finished[slot]! += 1;
    this.#busy[slot] = true;
    this.#tryingSince = undefined;
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
   * nothing finished while busy for `stallSeconds` (processing is stalled: the database or the workers are down).
   */
  seconds(now = performance.now()): number {
    const waiting = this.#waiting ?? 0;
    if (waiting === 0) return 0;
    const pace = this.perSecond(now);
    if (pace === undefined) return 0; // never busy in the window: a fresh start, its first orders are on their way
    if (pace > 0) return waiting / pace;
    const stalled = this.#tryingSince !== undefined && now - this.#tryingSince >= this.#stallMs;
    return stalled ? Number.POSITIVE_INFINITY : 0; // not yet a stall: its first orders are on their way
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
