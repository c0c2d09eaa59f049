// Read-only look at a cluster (and cleanup of a namespace), for operations and tests on a real broker.
import { Kafka, logLevel, type Admin, type SASLOptions } from 'kafkajs';
import type { KafkaBusConfig } from './config.js';

export interface KafkaInspector {
  /** Topics of the namespace (plain names, without the namespace). */
  topics(): Promise<string[]>;
  /** Messages a topic holds now: the sum over its partitions of (end offset − first kept offset). */
  messageCount(topic: string): Promise<number>;
  /** End offset (next offset to be written) of a topic, summed over its partitions. */
  endOffset(topic: string): Promise<number>;
  /**
   * Messages of `topics` the group has not committed yet (a partition it never committed counts
   * from its first kept offset, as a group reading from the beginning would).
   */
  lag(groupId: string, topics: string[]): Promise<number>;
  /** Deletes the namespace's topics and consumer groups (tests clean up after themselves). */
  deleteNamespace(): Promise<void>;
  close(): Promise<void>;
}

/** An admin connection to the brokers of `config`, seeing names within its namespace. */
export function kafkaInspector(
  config: Pick<KafkaBusConfig, 'brokers' | 'namespace' | 'ssl' | 'sasl'> & { clientId?: string },
): KafkaInspector {
  const ns = config.namespace ?? '';
  const kafka = new Kafka({
    clientId: config.clientId ?? 'honglian-inspector',
    brokers: config.brokers,
    logLevel: logLevel.NOTHING,
    ...(config.ssl !== undefined ? { ssl: config.ssl } : {}),
    ...(config.sasl ? { sasl: config.sasl as SASLOptions } : {}),
  });
  let admin: Promise<Admin> | null = null;
  const connected = () =>
    (admin ??= (async () => {
      const a = kafka.admin();
      await a.connect();
      return a;
    })());
  const offsets = async (topic: string) => (await connected()).fetchTopicOffsets(ns + topic);

  return {
    async topics() {
      const all = await (await connected()).listTopics();
      return all.filter((t) => t.startsWith(ns) && !t.startsWith('__')).map((t) => t.slice(ns.length));
    },
    async messageCount(topic) {
      return (await offsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    },
    async endOffset(topic) {
      return (await offsets(topic)).reduce((n, p) => n + Number(p.high), 0);
    },
    async lag(groupId, topics) {
      const a = await connected();
      const committed = await a.fetchOffsets({ groupId: ns + groupId, topics: topics.map((t) => ns + t) });
      let lag = 0;
      for (const topic of topics) {
        const ends = await offsets(topic);
        const mine = committed.find((c) => c.topic === ns + topic)?.partitions ?? [];
        for (const p of ends) {
          const at = Number(mine.find((m) => m.partition === p.partition)?.offset ?? -1);
          lag += Number(p.high) - (at >= 0 ? at : Number(p.low));
        }
      }
      return lag;
    },
    async deleteNamespace() {
      if (!ns) throw new Error('deleteNamespace needs a namespace: it would delete the whole cluster');
      const a = await connected();
      const { groups } = await a.listGroups();
      const mine = groups.map((g) => g.groupId).filter((g) => g.startsWith(ns));
      if (mine.length > 0) await a.deleteGroups(mine).catch(() => {});
      const topics = (await a.listTopics()).filter((t) => t.startsWith(ns));
      if (topics.length > 0) await a.deleteTopics({ topics });
    },
    async close() {
      if (admin) await (await admin).disconnect();
      admin = null;
    },
  };
}
