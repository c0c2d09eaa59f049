import { TOPICS } from '@honglian/contracts';
import { InProcessEventBus, type InProcessBusOptions } from './in-process/bus.js';
import { KafkaEventBus } from './kafka/bus.js';
import type { KafkaBusConfig, KafkaSasl } from './kafka/config.js';
import type { Logger } from './logger.js';
import type { EventBus, RetryPolicy } from './port.js';

type Env = Record<string, string | undefined>;

function positiveInt(env: Env, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || (n < 1 && n !== -1))
    throw new Error(`${name} must be a positive integer (or -1), got "${raw}"`);
  return n;
}

function flag(env: Env, name: string): boolean | undefined {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return undefined;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

const MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

/**
 * Kafka settings from the environment, or undefined when KAFKA_BROKERS is not set:
 * KAFKA_BROKERS (comma-separated host:port), KAFKA_CLIENT_ID, KAFKA_SSL, KAFKA_SASL_MECHANISM
 * (plain | scram-sha-256 | scram-sha-512), KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD,
 * KAFKA_TOPIC_PARTITIONS, KAFKA_REPLICATION_FACTOR, KAFKA_CREATE_TOPICS, KAFKA_NAMESPACE.
 */
export function kafkaConfigFromEnv(
  env: Env = process.env,
  defaultClientId = 'honglian',
): KafkaBusConfig | undefined {
  const brokers = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0) return undefined;
  const config: KafkaBusConfig = { brokers, clientId: env.KAFKA_CLIENT_ID?.trim() || defaultClientId };
  const ssl = flag(env, 'KAFKA_SSL');
  if (ssl !== undefined) config.ssl = ssl;
  const mechanism = env.KAFKA_SASL_MECHANISM?.trim().toLowerCase();
  if (mechanism) {
    if (!(MECHANISMS as readonly string[]).includes(mechanism)) {
      throw new Error(`KAFKA_SASL_MECHANISM must be one of ${MECHANISMS.join(', ')}, got "${mechanism}"`);
    }
    config.sasl = {
      mechanism: mechanism as KafkaSasl['mechanism'],
      username: env.KAFKA_SASL_USERNAME ?? '',
      password: env.KAFKA_SASL_PASSWORD ?? '',
    };
  }
  const partitions = positiveInt(env, 'KAFKA_TOPIC_PARTITIONS');
  if (partitions !== undefined) config.partitions = partitions;
  const replicationFactor = positiveInt(env, 'KAFKA_REPLICATION_FACTOR');
  if (replicationFactor !== undefined) config.replicationFactor = replicationFactor;
  const createTopics = flag(env, 'KAFKA_CREATE_TOPICS');
  if (createTopics !== undefined) config.createTopics = createTopics;
  const namespace = env.KAFKA_NAMESPACE?.trim();
  if (namespace) {
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(namespace)) {
      throw new Error(`KAFKA_NAMESPACE must be at most 100 of [A-Za-z0-9._-], got "${namespace}"`);
    }
    config.namespace = namespace;
  }
  return config;
}

export interface CreateEventBusOptions {
  /** Default `process.env`. */
  env?: Env;
  /** Kafka client id when KAFKA_CLIENT_ID is not set (e.g. the service name). */
  clientId?: string;
  logger?: Logger;
  /** Default retry policy of subscriptions. */
  retry?: Partial<RetryPolicy>;
  /** Overrides of the Kafka settings read from the environment. */
  kafka?: Partial<KafkaBusConfig>;
  inProcess?: InProcessBusOptions;
}

/** Consumed messages the in-process bus of a running suite keeps per partition. */
export const DEFAULT_RETAINED_MESSAGES = 10_000;

/** Kafka when KAFKA_BROKERS is set, otherwise the in-process bus (single process, nothing durable). */
export function createEventBus(options: CreateEventBusOptions = {}): EventBus {
  const fromEnv = kafkaConfigFromEnv(options.env ?? process.env, options.clientId);
  if (fromEnv) {
    return new KafkaEventBus({
      ...fromEnv,
      // Every suite topic (and its .dlq) exists from start-up, before anyone published to it.
      topics: Object.values(TOPICS),
      ...options.kafka,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
    });
  }
  options.logger?.warn({}, 'KAFKA_BROKERS not set: using the in-process event bus (events are not durable)');
  return new InProcessEventBus({
    // A long `honglian start` keeps what every group consumed only up to this, per partition.
    retainMessages: DEFAULT_RETAINED_MESSAGES,
    ...options.inProcess,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
  });
}
