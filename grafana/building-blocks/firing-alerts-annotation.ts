import { AnnotationQueryBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { prometheusDatasource } from '../datasources.ts';

/**
 * Firing alerts drawn as annotations on every time series, read from Prometheus's own `ALERTS` series.
 * `matchers` narrows them (e.g. to the selected instance); Watchdog always fires by design and is left out.
 */
export function firingAlertsAnnotation(matchers = ''): AnnotationQueryBuilder {
  const extra = matchers === '' ? '' : `, ${matchers}`;
  return new AnnotationQueryBuilder()
    .name('Firing alerts')
    .datasource(prometheusDatasource)
    .enable(true)
    .iconColor('red')
    .expr(`ALERTS{alertstate="firing", alertname!="Watchdog"${extra}}`)
    .step('15s')
    .titleFormat('{{alertname}}')
    .textFormat('{{severity}}: {{alertname}} on {{instance}}')
    .tagKeys('alertname,severity');
}
