// The incident's ordinary customers: orders at a steady rate all along (before, during and after the surge), each
// answer recorded with its time, status and latency, so failures, latency and recovery are measured on the traffic
// people actually sent, apart from the surge. Like the seed's clients, a failed order is tried once more after a
// second, without an idempotency key; each order has its own customer name, so the database tells exactly which
// orders were stored twice (a first try stored although its client saw it fail) and which 201s were lost.
export interface SteadyAnswer {
  at: number;
  /** The order (its customer name is `<prefix>-<order>`). */
  order: number;
  /** HTTP status, or 0 for no answer (refused connection, reset, timeout). */
  status: number;
  ms: number;
}

export interface SteadyOrders {
  readonly answers: SteadyAnswer[];
  /** Orders that got a 201 on some try. */
  readonly acknowledged: Set<number>;
  readonly orders: number;
  stop(): Promise<void>;
}

export function startSteadyOrders(apiUrl: string, customerPrefix: string, perSecond: number, maxInFlight = 50): SteadyOrders {
  const answers: SteadyAnswer[] = [];
  const acknowledged = new Set<number>();
  const inFlight = new Set<Promise<void>>();
  let orders = 0;
  let stopped = false;
  const attempt = async (order: number): Promise<boolean> => {
    const started = performance.now();
    try {
      const response = await fetch(`${apiUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customer: `${customerPrefix}-${order}`, items: [{ sku: 'STEADY-1', quantity: 1, price: 9.99 }] }),
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      answers.push({ at: Date.now(), order, status: response.status, ms: performance.now() - started });
      if (response.status === 201) acknowledged.add(order);
      return response.status === 201;
    } catch {
      answers.push({ at: Date.now(), order, status: 0, ms: performance.now() - started });
      return false;
    }
  };
  const send = (): void => {
    if (inFlight.size >= maxInFlight) return;
    const order = ++orders;
    const request = (async () => {
      if (await attempt(order)) return;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      if (!stopped) await attempt(order);
    })().finally(() => inFlight.delete(request));
    inFlight.add(request);
  };
  const timer = setInterval(send, 1000 / perSecond);
  return {
    answers,
    acknowledged,
    get orders() {
      return orders;
    },
    async stop() {
      clearInterval(timer);
      stopped = true;
      await Promise.allSettled([...inFlight]);
    },
  };
}
