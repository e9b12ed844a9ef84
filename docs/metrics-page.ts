// docs/metrics.md: the order service's metric catalogue, rendered from service/telemetry/metric-catalogue.ts.
import { metricCatalogue, type CatalogueEntry, type MetricGroup } from '../service/telemetry/metric-catalogue.ts';
import { cell, generatedNotice, table } from './markdown.ts';

function labels(entry: CatalogueEntry): string {
  return Object.entries(entry.labels)
    .map(([name, values]) => (values.length > 0 ? `\`${name}\` (${values.join(', ')})` : `\`${name}\``))
    .join(', ');
}

/** A link from docs/ to the file that defines the metric, named by its file name. */
function source(entry: CatalogueEntry): string {
  return `[${entry.source.split('/').pop()}](../${entry.source})`;
}

export function metricsPage(): string {
  const groups = new Map<MetricGroup, CatalogueEntry[]>();
  for (const entry of metricCatalogue) groups.set(entry.group, [...(groups.get(entry.group) ?? []), entry]);
  const sections = [...groups].map(([group, entries]) =>
    [
      `## ${group}`,
      '',
      table(
        ['metric', 'type', 'unit', 'labels', 'JVM metric it stands for', 'what it is', 'defined in'],
        entries.map((e) => [`\`${e.name}\``, e.type, e.unit, labels(e), e.jvm ?? '', e.description, source(e)].map(cell)),
      ),
    ].join('\n'),
  );
  return [
    generatedNotice('service/telemetry/metric-catalogue.ts'),
    '# Metric catalogue: the order service',
    '',
    `Every family the order service serves on \`/metrics\` (${metricCatalogue.length} of them), named as Prometheus's`,
    'OTLP translation names them; attribute dots become underscores in label names, and every series also carries',
    "the scrape's `job` and `instance`. `test/service-metrics.test.ts` scrapes a real service and fails when a",
    'family here is not served, or one served is not here. How they are measured: [telemetry.md](telemetry.md).',
    'The relay\'s metrics are in [relay.md](relay.md#metrics).',
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
}
