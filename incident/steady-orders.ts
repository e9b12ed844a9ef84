// The incident's ordinary customers: orders at a steady rate all along (before, during and after the surge), each
// answer recorded with its time, status and latency, so failures, latency and recovery are measured on the traffic
// people actually sent, apart from the surge. Bounded in flight: a stalled service is not buried by this client.
export interface SteadyAnswer {
  at: number;
  /** HTTP status, or 0 for no answer (refused connection, reset, timeout). */
  status: number;
  ms: number;
}

export interface SteadyOrders {
  readonly answers: SteadyAnswer[];
  stop(): Promise<void>;
}

export function startSteadyOrders(apiUrl: string, customer: string, perSecond: number, maxInFlight = 50): SteadyOrders {
  const answers: SteadyAnswer[] = [];
  const inFlight = new Set<Promise<void>>();
  const send = (): void => {
    if (inFlight.size >= maxInFlight) {
      answers.push({ at: Date.now(), status: 0, ms: 0 });
      return;
    }
    const started = performance.now();
    const request = fetch(`${apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer, items: [{ sku: 'STEADY-1', quantity: 1, price: 9.99 }] }),
      signal: AbortSignal.timeout(10_000),
    })
      .then(async (response) => {
        await response.arrayBuffer();
        answers.push({ at: Date.now(), status: response.status, ms: performance.now() - started });
      })
      .catch(() => {
        answers.push({ at: Date.now(), status: 0, ms: performance.now() - started });
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };
  const timer = setInterval(send, 1000 / perSecond);
  return {
    answers,
    async stop() {
      clearInterval(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
