export type {
  DeadLetter,
  DeadLetterSubscription,
  DeliveryMeta,
  EventBus,
  EventHandler,
  Health,
  PublishOptions,
  RawInput,
  RawMessage,
  RetryPolicy,
  Subscriber,
  Subscription,
} from './port.js';
export { MessagingError, EventValidationError, BusStateError, PublishTimeoutError } from './errors.js';
export { HEADERS, CLOUDEVENTS_CONTENT_TYPE } from './headers.js';
export { silentLogger, type Logger } from './logger.js';
export { DEFAULT_RETRY, backoffDelay } from './retry.js';
export { assertValidEvent, decodeEvent } from './wire.js';
export { extractMessageContext } from './trace.js';
export { InProcessEventBus, type InProcessBusOptions, type StoredMessage } from './in-process/bus.js';
export { KafkaEventBus } from './kafka/bus.js';
export type { KafkaBusConfig, KafkaSasl } from './kafka/config.js';
export { kafkaInspector, type KafkaInspector } from './kafka/inspector.js';
export { withOutbox, OutboxWriter, writeOutbox, type WithOutboxOptions } from './outbox/outbox.js';
export {
  OutboxRelay,
  type OutboxBacklog,
  type OutboxRelayOptions,
  type RelayStatus,
} from './outbox/relay.js';
export { onDelivery, type DeliveryObservation } from './observe.js';
export { asyncApiDocument, type AsyncApiInfo } from './asyncapi.js';
export { notifyOutbox } from './outbox/notify.js';
export {
  COLLECTIONS,
  OUTBOX_LANES,
  laneOf,
  prepareCollections,
  type OutboxRecord,
  type OutboxStatus,
} from './outbox/store.js';
export {
  idempotent,
  wasProcessed,
  type IdempotentContext,
  type IdempotentHandler,
  type IdempotentOptions,
} from './idempotent.js';
export { createEventBus, kafkaConfigFromEnv, type CreateEventBusOptions } from './factory.js';
export {
  emit,
  emitAll,
  on,
  eventHandlers,
  type EmitInit,
  type EmitOptions,
  type EventRoute,
  type EventHandlers,
  type EventHandlersOptions,
} from './typed.js';
