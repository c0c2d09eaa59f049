import type { ClientSession, Connection } from 'mongoose';
import type { CloudEvent } from '@honglian/contracts';
import { silentLogger, type Logger } from './logger.js';
import { withOutbox, type OutboxWriter, type WithOutboxOptions } from './outbox/outbox.js';
import { isDuplicateKeyError, prepareCollections, processedCollection } from './outbox/store.js';
import type { DeliveryMeta, EventHandler } from './port.js';

export interface IdempotentContext {
  /** Pass it to every read and write of the handler: they commit (or abort) with the event's record. */
  session: ClientSession;
  /** Events to emit as a consequence, written to this database's outbox in the same transaction. */
  outbox: OutboxWriter;
  meta: DeliveryMeta;
}

export type IdempotentHandler<T = unknown> = (event: CloudEvent<T>, ctx: IdempotentContext) => Promise<void>;

export interface IdempotentOptions extends WithOutboxOptions {
  logger?: Logger;
}

/**
 * Wraps a handler so that its database effects, the events it emits (outbox) and the record
 * "group G processed event E" (unique on {groupId, eventId}) commit in ONE transaction.
 * A redelivered event is skipped; a handler that throws halfway leaves nothing behind (the
 * transaction aborts) and the error reaches the bus, which retries the delivery.
 * The handler may run more than once per delivery (transient transaction errors are retried):
 * keep side effects outside the database (HTTP calls, e-mails) out of it.
 */
export function idempotent<T = unknown>(
  connection: Connection,
  groupId: string,
  handler: IdempotentHandler<T>,
  options: IdempotentOptions = {},
): EventHandler<T> {
  if (!groupId) throw new TypeError('idempotent: groupId is required');
  const logger = options.logger ?? silentLogger;
  return async (event, meta) => {
    await prepareCollections(connection);
    const processed = processedCollection(connection);
    // Cheap path for redeliveries: no transaction when the record is already committed. The check
    // inside the transaction below is what guarantees a single effect.
    if (await processed.findOne({ groupId, eventId: event.id }, { projection: { _id: 1 } })) {
      logger.info({ groupId, eventId: event.id, type: event.type }, 'duplicate event skipped');
      return;
    }
    try {
      const applied = await withOutbox(
        connection,
        async (session, outbox) => {
          if (await processed.findOne({ groupId, eventId: event.id }, { session })) return false;
          await processed.insertOne(
            {
              groupId,
              eventId: event.id,
              type: event.type,
              subject: event.subject,
              topic: meta.topic,
              processedAt: new Date(),
            },
            { session },
          );
          await handler(event, { session, outbox, meta });
          return true;
        },
        options,
      );
      if (!applied) logger.info({ groupId, eventId: event.id, type: event.type }, 'duplicate event skipped');
    } catch (error) {
      // A concurrent delivery of the same event committed first: nothing left to do.
      if (isDuplicateKeyError(error) && (await processed.findOne({ groupId, eventId: event.id }))) {
        logger.info({ groupId, eventId: event.id, type: event.type }, 'duplicate event skipped');
        return;
      }
      throw error;
    }
  };
}

/** Whether a group already processed an event (inspection, tests). */
export async function wasProcessed(
  connection: Connection,
  groupId: string,
  eventId: string,
): Promise<boolean> {
  await prepareCollections(connection);
  return (await processedCollection(connection).findOne({ groupId, eventId })) !== null;
}
