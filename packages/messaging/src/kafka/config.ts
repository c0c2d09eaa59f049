import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '../logger.js';
import type { RetryPolicy } from '../port.js';

export interface KafkaSasl {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

export interface KafkaBusConfig {
  brokers: string[];
  clientId: string;
  ssl?: boolean | ConnectionOptions;
  sasl?: KafkaSasl;
  /**
   * Prefix of every topic and consumer group on the broker (e.g. `staging.`), so several suites
   * share one cluster without seeing each other's events. Handlers, dead letters and `publish` use
   * the plain names. Default: none.
   */
  namespace?: string;
  /** Partitions of the topics the bus creates. Default 3. */
  partitions?: number;
  /** Replication factor of the topics the bus creates. Default -1 (the broker's default.replication.factor). */
  replicationFactor?: number;
  /** Topics (and their `.dlq`) to create at start-up besides the subscribed and published ones. */
  topics?: string[];
  /** Create missing topics with admin.createTopics. Default true; turn off where topics are managed elsewhere. */
  createTopics?: boolean;
  /** Default retry policy of subscriptions. */
  retry?: Partial<RetryPolicy>;
  /** A publish not acknowledged in this time rejects (it may still land). Default 30 s. */
  publishTimeoutMs?: number;
  /** Consumer group session timeout. Default 30 s. */
  sessionTimeoutMs?: number;
  /** Default 3 s. */
  heartbeatIntervalMs?: number;
  /**
   * Longest a fetch waits on the broker for new records. Default 1 s (kafkajs: 5 s): a consumer's
   * disconnect waits for the fetch in flight, so this bounds how long a stopping service waits.
   */
  maxWaitTimeMs?: number;
  /** Partitions one subscriber processes at the same time (each stays in order). Default 1. */
  partitionsConsumedConcurrently?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Minimum level of kafkajs's own log lines passed to `logger`. Default 'warn'. */
  clientLogLevel?: 'error' | 'warn' | 'info' | 'debug';
  logger?: Logger;
}
