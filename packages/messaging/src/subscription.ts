import {
  deadLetterTopicsOf,
  deliverDeadLetter,
  deliverEvent,
  type DeliveryEnv,
  type DeliveryOutcome,
  type MessageLocation,
} from './delivery.js';
import type { DeadLetterSubscription, RawMessage, RetryPolicy, Subscription } from './port.js';
import { retryPolicy } from './retry.js';

/** A subscription reduced to what an adapter needs: topics, policy and one delivery function. */
export interface Consumption {
  kind: 'events' | 'dead-letters';
  groupId: string;
  topics: string[];
  fromBeginning: boolean;
  policy: Required<RetryPolicy>;
  deliver(message: RawMessage, at: MessageLocation, env: DeliveryEnv): Promise<DeliveryOutcome>;
}

function checkCommon(groupId: string, topics: readonly string[]): void {
  if (!groupId) throw new TypeError('subscribe: groupId is required');
  if (!Array.isArray(topics) || topics.length === 0)
    throw new TypeError('subscribe: at least one topic is required');
}

export function eventConsumption(sub: Subscription, defaults?: Partial<RetryPolicy>): Consumption {
  checkCommon(sub.groupId, sub.topics);
  if (typeof sub.handler !== 'function') throw new TypeError('subscribe: handler is required');
  const dlq = sub.topics.filter((t) => t.endsWith('.dlq'));
  if (dlq.length > 0) {
    throw new TypeError(
      `subscribe: ${dlq.join(', ')} are dead-letter topics; read them with subscribeDeadLetters`,
    );
  }
  return {
    kind: 'events',
    groupId: sub.groupId,
    topics: [...new Set(sub.topics)],
    fromBeginning: sub.fromBeginning ?? true,
    policy: retryPolicy(defaults, sub.retry),
    deliver: (message, at, env) => deliverEvent(message, at, sub.handler, env),
  };
}

export function deadLetterConsumption(
  sub: DeadLetterSubscription,
  defaults?: Partial<RetryPolicy>,
): Consumption {
  checkCommon(sub.groupId, sub.topics);
  if (typeof sub.handler !== 'function') throw new TypeError('subscribeDeadLetters: handler is required');
  return {
    kind: 'dead-letters',
    groupId: sub.groupId,
    topics: deadLetterTopicsOf(sub.topics),
    fromBeginning: sub.fromBeginning ?? true,
    policy: retryPolicy(defaults, sub.retry),
    deliver: (message, at, env) => deliverDeadLetter(message, at, sub.handler, env),
  };
}
