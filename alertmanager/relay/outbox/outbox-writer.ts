// Group commit: webhooks that arrive in the same event-loop turn are stored in one transaction, so one fsync
// serves many requests. Each request still gets its answer only after that commit has returned.
import type { AcceptRequest, AcceptResult, OutboxStore } from './outbox-store.ts';

interface Waiting {
  request: AcceptRequest;
  resolve: (result: AcceptResult) => void;
  reject: (error: unknown) => void;
}

export class OutboxWriter {
  readonly #store: OutboxStore;
  readonly #dedupWindowMs: () => number;
  #waiting: Waiting[] = [];
  #scheduled = false;

  constructor(store: OutboxStore, dedupWindowMs: () => number) {
    this.#store = store;
    this.#dedupWindowMs = dedupWindowMs;
  }

  accept(request: AcceptRequest): Promise<AcceptResult> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ request, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#waiting;
    this.#waiting = [];
    let results: AcceptResult[];
    try {
      results = this.#store.accept(
        batch.map((w) => w.request),
        this.#dedupWindowMs(),
      );
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i]!));
  }
}
