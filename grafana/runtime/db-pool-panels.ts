// DB pool: the HikariCP panels of a JVM board for the pg pool (active/idle/pending/max, acquire time, timeouts).
import type { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { timeseriesPanel } from '../building-blocks/timeseries-panel.ts';
import { instanceSelector as sel } from './single-instance-selector.ts';

const poolMax = 'max connections';

export function dbPoolPanels(): PanelBuilder[] {
  return [
    timeseriesPanel({
      id: 40,
      title: 'Connections: used, idle, pending, max',
      description:
        'Pool connections by state, stacked, against the pool maximum (dashed), and requests waiting for a connection. All used with ' +
        'requests pending is an exhausted pool.',
      unit: 'short',
      width: 8,
      min: 0,
      stacked: true,
      queries: [
        {
          expr: `sum by (db_client_connection_state) (db_client_connection_count{${sel}})`,
          legend: '{{db_client_connection_state}}',
        },
        { expr: `sum(db_client_connection_pending_requests{${sel}})`, legend: 'pending requests' },
        { expr: `sum(db_client_connection_max{${sel}})`, legend: poolMax },
      ],
      limitSeries: [poolMax, 'pending requests'],
      runbookAlerts: ['NodeDBPoolExhausted'],
    }),
    timeseriesPanel({
      id: 41,
      title: 'Connection acquire wait and use time p99',
      description: 'p99 of the time a query waited for a pool connection (hikaricp acquire) and of how long connections were held.',
      unit: 's',
      width: 8,
      min: 0,
      queries: [
        {
          expr: `histogram_quantile(0.99, sum by (le) (rate(db_client_connection_wait_time_seconds_bucket{${sel}}[$__rate_interval])))`,
          legend: 'acquire wait p99',
        },
        {
          expr: `histogram_quantile(0.99, sum by (le) (rate(db_client_connection_use_time_seconds_bucket{${sel}}[$__rate_interval])))`,
          legend: 'connection use p99',
        },
      ],
      thresholdsOf: ['NodeDBPoolWaitSlow'],
      runbookAlerts: ['NodeDBPoolWaitSlow'],
    }),
    timeseriesPanel({
      id: 42,
      title: 'Connection acquire timeouts per second',
      description: 'Requests that gave up waiting for a connection (answered 503). Any at all means the pool was exhausted.',
      unit: 'ops',
      width: 8,
      min: 0,
      queries: [
        { expr: `sum(rate(db_client_connection_timeouts_total{${sel}}[$__rate_interval]))`, legend: 'acquire timeouts' },
      ],
      thresholdsOf: ['NodeDBPoolAcquireTimeouts'],
      runbookAlerts: ['NodeDBPoolAcquireTimeouts'],
    }),
  ];
}
