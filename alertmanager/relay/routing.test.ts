// Routing: a receiver's routes, narrowed by label matchers per alert, decide each destination's share of the alerts.
import { describe, expect, it } from 'vitest';
import type { Route } from './config.ts';
import { routeNotification } from './routing.ts';
import { webhookPayload } from '../../test/support/relay/webhook-fixtures.ts';

const route = (r: Partial<Route>): Route => ({ matchers: {}, slack: [], email: [], ...r });

describe('routing', () => {
  const receivers = new Map<string, Route[]>([
    [
      'slack-oncall',
      [
        route({ slack: ['oncall'], matchers: { instance: { regex: 'i-[01]' } } }),
        route({ email: ['team'], matchers: { instance: { notEqual: 'i-0' } } }),
        route({ slack: ['oncall'], matchers: { instance: 'i-3' } }),
        route({ email: ['nobody'], matchers: { instance: 'i-9' } }),
      ],
    ],
    ['watchdog', []],
  ]);

  it('gives each destination only the alerts its routes matched, merging routes to the same destination', () => {
    const result = routeNotification({ receivers }, webhookPayload({ alerts: 4 }));
    expect(result).toEqual({
      ok: true,
      deliveries: [
        { channel: 'slack', destination: 'oncall', alertIndexes: [0, 1, 3] },
        { channel: 'email', destination: 'team', alertIndexes: [1, 2, 3] },
      ],
    });
  });

  it('sends all alerts (no index list) when every alert matched, and nothing for an empty receiver', () => {
    expect(routeNotification({ receivers }, webhookPayload({ alerts: 2 }))).toEqual({ ok: true, deliveries: [{ channel: 'slack', destination: 'oncall', alertIndexes: undefined }, { channel: 'email', destination: 'team', alertIndexes: [1] }] });
    expect(routeNotification({ receivers }, webhookPayload({ receiver: 'watchdog' }))).toEqual({ ok: true, deliveries: [] });
  });

  it('refuses a receiver it has no routes for, by name', () => {
    const result = routeNotification({ receivers }, webhookPayload({ receiver: 'elsewhere' }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain('"elsewhere"');
  });
});
