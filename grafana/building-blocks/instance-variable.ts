import { QueryVariableBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { prometheusDatasource } from '../datasources.ts';

/**
 * The `instance` variable: the instances Prometheus scrapes for the jobs matched by `jobMatcher` (e.g.
 * `job="order-service"`), any number of replicas, as discovery finds them. Alerts link here with `var-instance`.
 */
export function instanceVariable(options: { jobMatcher: string; multi: boolean; description: string }): QueryVariableBuilder {
  const query = `label_values(up{${options.jobMatcher}}, instance)`;
  return new QueryVariableBuilder('instance')
    .label('Instance')
    .description(options.description)
    .datasource(prometheusDatasource)
    .query({ query, refId: 'PrometheusVariableQueryEditor-VariableQuery', qryType: 1 })
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.NaturalAsc)
    .multi(options.multi)
    .includeAll(options.multi);
}
