/** The messages the worker pool understands: one kind of task per CPU-bound job. */
export type WorkerTask =
  | { kind: 'price-and-score'; customer: string; items: Array<{ sku: string; quantity: number; price: number }> }
  | { kind: 'burn'; ms: number };

export interface PricingResult {
  totalCents: number;
  fraudScore: number;
}

export type WorkerResult = PricingResult | { burnedMs: number };
