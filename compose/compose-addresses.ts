// Where each part of the stack is reached inside the Compose network, by the loopback port the repository's
// configs use for it (docs/stack.md, "Ports"). The compose variants of those configs are rendered with this map.
export const composeAddressByLoopbackPort: Record<number, string> = {
  9090: 'localhost:9090', // Prometheus scrapes itself inside its own container
  9093: 'alertmanager:9093',
  9095: 'alert-relay:9095',
};

/** The order-service replicas of docker-compose.yml, as Prometheus's file-based discovery finds them. */
export const orderServiceReplicas = ['order-service-1', 'order-service-2'] as const;
export const orderServiceMetricsPort = 9464;

/** Where Compose mounts the relay's bearer token (a Compose secret) in every container that uses it. */
export const relayTokenSecretPath = '/run/secrets/relay-token';
