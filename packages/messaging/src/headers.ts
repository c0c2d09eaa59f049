/** Message header names (CloudEvents Kafka protocol binding, structured mode, plus dead-letter headers). */
export const HEADERS = {
  contentType: 'content-type',
  ceType: 'ce_type',
  ceId: 'ce_id',
  ceSource: 'ce_source',
  ceSubject: 'ce_subject',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  failureReason: 'x-failure-reason',
  failureAttempts: 'x-failure-attempts',
  originalTopic: 'x-original-topic',
  originalPartition: 'x-original-partition',
  originalOffset: 'x-original-offset',
  failedAt: 'x-failed-at',
  consumerGroup: 'x-consumer-group',
} as const;

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';

/** Header values longer than this are cut (a reason holding a whole stack trace is not useful). */
export const MAX_REASON_LENGTH = 2000;
