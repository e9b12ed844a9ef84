// RED by route: request rate, errors and duration of the HTTP API, per route (the route template, not the URL).
import type { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { zeroUntilFirst } from '../building-blocks/prometheus-queries.ts';
import { timeseriesPanel } from '../building-blocks/timeseries-panel.ts';
import { servicesSelector as sel } from './replicas-selector.ts';

const requests = (matchers = ''): string =>
  `sum by (http_route) (rate(http_server_request_duration_seconds_count{${sel}${matchers}}[$__rate_interval]))`;

export function redPanels(): PanelBuilder[] {
  return [
    timeseriesPanel({
      id: 1,
      title: 'Requests per second by route',
      description: 'HTTP requests answered per second, by route template, all selected instances.',
      unit: 'reqps',
      width: 8,
      min: 0,
      queries: [{ expr: requests(), legend: '{{http_route}}' }],
      runbookAlerts: ['OrderTrafficSurge'],
    }),
    timeseriesPanel({
      id: 2,
      title: 'Error ratio (5xx) by route',
      description: 'Share of requests answered with a 5xx status, by route; 0 for routes that answered no 5xx.',
      unit: 'percentunit',
      width: 8,
      min: 0,
      queries: [{ expr: `(${zeroUntilFirst(requests(', http_response_status_code=~"5.."'), requests())}) / ${requests()}`, legend: '{{http_route}}' }],
      thresholdsOf: ['HTTPServerErrorRatioHigh'],
      runbookAlerts: ['HTTPServerErrorRatioHigh'],
    }),
    timeseriesPanel({
      id: 3,
      title: 'Latency p50 and p99 by route',
      description: 'Request duration percentiles by route, from the server duration histogram.',
      unit: 's',
      width: 8,
      min: 0,
      queries: [
        {
          expr: `histogram_quantile(0.99, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
          legend: 'p99 {{http_route}}',
        },
        {
          expr: `histogram_quantile(0.5, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
          legend: 'p50 {{http_route}}',
        },
      ],
      thresholdsOf: ['HTTPServerLatencyHigh'],
      runbookAlerts: ['HTTPServerLatencyHigh'],
    }),
    timeseriesPanel({
      id: 4,
      title: 'Responses per second by status code',
      description: 'Responses by HTTP status code and method, all routes.',
      unit: 'reqps',
      min: 0,
      stacked: true,
      queries: [
        {
          expr: `sum by (http_response_status_code, http_request_method) (rate(http_server_request_duration_seconds_count{${sel}}[$__rate_interval]))`,
          legend: '{{http_request_method}} {{http_response_status_code}}',
        },
      ],
    }),
    timeseriesPanel({
      id: 5,
      title: 'Requests per second by instance',
      description: 'Requests answered per second by each replica: an unbalanced or missing replica shows here.',
      unit: 'reqps',
      min: 0,
      queries: [{ expr: `sum by (instance) (rate(http_server_request_duration_seconds_count{${sel}}[$__rate_interval]))`, legend: '{{instance}}' }],
      runbookAlerts: ['InstanceDown'],
    }),
  ];
}
