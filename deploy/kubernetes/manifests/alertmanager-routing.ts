// alertmanager/alertmanager.yml for kube-prometheus-stack's Alertmanager, as the Secret it loads its whole config
// from (alertmanagerSpec.configSecret). Not an AlertmanagerConfig object: the operator would add a namespace
// matcher to its route (the rules' alerts aggregate the namespace label away, so nothing would match) and rename
// every receiver to <namespace>/<name>/<receiver>, and the relay routes by receiver name.
import { readFileSync } from 'node:fs';
import { isMap, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { appNamespace, relay } from './names.ts';

/** The Secret kube-prometheus-stack-values.yaml names as configSecret; its key is what the operator reads. */
export const alertmanagerConfigSecretName = 'alertmanager-order-stack';
export const alertmanagerConfigKey = 'alertmanager.yaml';
/** A Secret in Alertmanager's namespace listed in alertmanagerSpec.secrets: mounted under /etc/alertmanager/secrets/<name>/. */
export const alertmanagerTokenSecretName = 'alert-relay-token';
export const relayTokenPathInAlertmanager = `/etc/alertmanager/secrets/${alertmanagerTokenSecretName}/relay-token`;

/** The relay's webhook as Alertmanager (in another namespace) reaches it: the Service's cluster DNS name. */
export const relayWebhookUrl = `http://${relay.name}.${appNamespace}.svc:${relay.port}${relay.webhookPath}`;

export function alertmanagerConfigYaml(sourceFile: string): string {
  const doc = parseDocument(readFileSync(sourceFile, 'utf8'));
  const receivers = doc.get('receivers');
  if (!isSeq(receivers)) throw new Error(`${sourceFile}: no receivers list`);
  let webhooks = 0;
  for (const receiver of receivers.items) {
    const configs = isMap(receiver) ? receiver.get('webhook_configs') : undefined;
    if (!isSeq(configs)) continue;
    for (const webhook of configs.items as YAMLMap[]) {
      const url = new URL(String(webhook.get('url')));
      if (url.pathname !== relay.webhookPath) throw new Error(`${sourceFile}: webhook ${url.pathname} is not the relay's ${relay.webhookPath}`);
      webhook.set('url', relayWebhookUrl);
      webhook.setIn(['http_config', 'authorization', 'credentials_file'], relayTokenPathInAlertmanager);
      webhooks += 1;
    }
  }
  if (webhooks === 0) throw new Error(`${sourceFile}: no webhook receivers`);
  doc.commentBefore = ` Generated from alertmanager/alertmanager.yml by deploy/kubernetes/generate.ts (npm run k8s): edit the source,\n never this file. The same routing; webhooks go to the relay's Service, the token is the mounted ${alertmanagerTokenSecretName} Secret.\n${doc.commentBefore ?? ''}`;
  return doc.toString({ lineWidth: 0 });
}
