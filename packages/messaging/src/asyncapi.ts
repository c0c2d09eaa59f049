import {
  CloudEventEnvelope,
  TOPICS,
  deadLetterTopic,
  eventSchemaOf,
  knownEventTypes,
  topicOfEventType,
} from '@honglian/contracts';
import { z } from 'zod';
import { CLOUDEVENTS_CONTENT_TYPE, HEADERS } from './headers.js';

type Doc = Record<string, unknown>;

export interface AsyncApiInfo {
  title?: string;
  version?: string;
  description?: string;
}

function jsonSchema(schema: z.ZodType): Doc {
  // What producers write (`io: input`); refinements a JSON schema cannot say are left out.
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-07' }) as Doc;
  delete out.$schema;
  return out;
}

/** `honglian.org-registry.v1` → `orgRegistryV1`: a channel id. */
function channelId(topic: string): string {
  return topic
    .replace(/^honglian\./, '')
    .split(/[.-]/)
    .map((part, i) => (i === 0 ? part : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('');
}

const TRACE_HEADERS = {
  [HEADERS.traceparent]: {
    type: 'string',
    description: 'W3C trace context of the span that published the event (also in the event).',
  },
  [HEADERS.tracestate]: { type: 'string', description: 'W3C tracestate, when the trace has one.' },
};

function eventHeaders(type: string): Doc {
  return {
    type: 'object',
    required: [HEADERS.contentType, HEADERS.ceType, HEADERS.ceId, HEADERS.ceSource, HEADERS.ceSubject],
    properties: {
      [HEADERS.contentType]: { type: 'string', const: CLOUDEVENTS_CONTENT_TYPE },
      [HEADERS.ceType]: { type: 'string', const: type },
      [HEADERS.ceId]: { type: 'string', format: 'uuid' },
      [HEADERS.ceSource]: { type: 'string' },
      [HEADERS.ceSubject]: { type: 'string' },
      ...TRACE_HEADERS,
    },
  };
}

const DEAD_LETTER_HEADERS: Doc = {
  type: 'object',
  description: 'The original message headers, plus why and where it failed.',
  required: [
    HEADERS.failureReason,
    HEADERS.failureAttempts,
    HEADERS.originalTopic,
    HEADERS.originalPartition,
    HEADERS.originalOffset,
    HEADERS.failedAt,
    HEADERS.consumerGroup,
  ],
  properties: {
    [HEADERS.failureReason]: {
      type: 'string',
      maxLength: 2000,
      description: 'Validation failure or the last handler error (cut at 2000 characters).',
    },
    [HEADERS.failureAttempts]: {
      type: 'string',
      pattern: '^[0-9]+$',
      description: 'Handler tries made; 0 when the message failed validation.',
    },
    [HEADERS.originalTopic]: { type: 'string' },
    [HEADERS.originalPartition]: { type: 'string', pattern: '^[0-9]+$' },
    [HEADERS.originalOffset]: { type: 'string', pattern: '^[0-9]+$' },
    [HEADERS.failedAt]: { type: 'string', format: 'date-time' },
    [HEADERS.consumerGroup]: { type: 'string' },
    ...TRACE_HEADERS,
  },
  additionalProperties: { type: 'string' },
};

/**
 * The AsyncAPI 3.0 document of every event in `@honglian/contracts`: one channel per topic with
 * each event type (and major version) it carries, its CloudEvents envelope and the JSON schema of
 * its data (from the zod contract), and one channel per dead-letter topic with the failure
 * headers. Built from the registry of defined events, so a newly defined event is listed.
 */
export function asyncApiDocument(info: AsyncApiInfo = {}): Doc {
  const envelope = jsonSchema(CloudEventEnvelope) as { properties: Doc; required?: string[] };
  const topics = new Set<string>(Object.values(TOPICS));
  const byTopic = new Map<string, string[]>();
  for (const type of knownEventTypes()) {
    const topic = topicOfEventType(type);
    topics.add(topic);
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), type]);
  }
  const messages: Doc = {
    deadLetter: {
      name: 'dead-letter',
      title: 'Dead letter',
      summary: 'A message that failed validation or whose handler failed every try; value unchanged.',
      contentType: CLOUDEVENTS_CONTENT_TYPE,
      headers: DEAD_LETTER_HEADERS,
      payload: { description: 'The original message value, unchanged (may be unparsable).' },
    },
  };
  const channels: Doc = {};
  const operations: Doc = {};
  for (const topic of [...topics].sort()) {
    const id = channelId(topic);
    const types = byTopic.get(topic) ?? [];
    const channelMessages: Doc = {};
    for (const type of types) {
      const data = eventSchemaOf(type)!;
      const major = /\.v(\d+)$/.exec(type)?.[1];
      messages[type] = {
        name: type,
        title: type,
        summary: `CloudEvent ${type} (major version ${major}).`,
        contentType: CLOUDEVENTS_CONTENT_TYPE,
        headers: eventHeaders(type),
        payload: {
          type: 'object',
          required: [...new Set([...(envelope.required ?? []), 'type', 'data'])],
          properties: {
            ...envelope.properties,
            type: { type: 'string', const: type },
            tracestate: { type: 'string', description: 'W3C tracestate (distributed-tracing extension).' },
            data: jsonSchema(data),
          },
        },
        bindings: {
          kafka: {
            key: {
              type: 'string',
              description: 'The aggregate id (CloudEvents subject): one aggregate, one partition.',
            },
            bindingVersion: '0.5.0',
          },
        },
      };
      channelMessages[type] = { $ref: `#/components/messages/${type}` };
    }
    channels[id] = {
      address: topic,
      title: topic,
      description: `Events of ${topic.replace(/^honglian\.|\.v\d+$/g, '')}; key = aggregate id.`,
      messages: channelMessages,
      bindings: { kafka: { topic, bindingVersion: '0.5.0' } },
    };
    if (types.length > 0) {
      operations[`publish_${id}`] = {
        action: 'send',
        title: `Publish to ${topic}`,
        summary: 'Written through the transactional outbox of the owning service and relayed.',
        channel: { $ref: `#/channels/${id}` },
        messages: types.map((type) => ({ $ref: `#/channels/${id}/messages/${type}` })),
      };
    }
    const dlq = deadLetterTopic(topic);
    channels[`${id}Dlq`] = {
      address: dlq,
      title: dlq,
      description: `Dead letters of ${topic}.`,
      messages: { deadLetter: { $ref: '#/components/messages/deadLetter' } },
      bindings: { kafka: { topic: dlq, bindingVersion: '0.5.0' } },
    };
    operations[`deadLetter_${id}`] = {
      action: 'send',
      title: `Dead-letter to ${dlq}`,
      summary: 'Written by a consumer when a message is invalid or its handler failed every try.',
      channel: { $ref: `#/channels/${id}Dlq` },
      messages: [{ $ref: `#/channels/${id}Dlq/messages/deadLetter` }],
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: info.title ?? 'Honglian events (红联事件)',
      version: info.version ?? '0.1.0',
      description:
        info.description ??
        'Every event the services exchange: CloudEvents 1.0 in structured mode on Kafka, one topic per ' +
          'service, dead letters on `<topic>.dlq`. Generated from the contracts in @honglian/contracts.',
    },
    defaultContentType: CLOUDEVENTS_CONTENT_TYPE,
    channels,
    operations,
    components: { messages },
  };
}
