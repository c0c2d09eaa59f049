/** Base class of the errors this package throws on purpose. */
export class MessagingError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** An event failed `validateEvent` (bad envelope, unknown type or bad data); nothing was published or written. */
export class EventValidationError extends MessagingError {
  constructor(
    readonly reason: string,
    readonly eventType: string | undefined,
    readonly eventId: string | undefined,
  ) {
    super(
      `invalid event${eventType ? ` ${eventType}` : ''}${eventId ? ` (${eventId})` : ''}: ${reason}`,
      'EVENT_INVALID',
    );
  }
}

/** The bus is not running: `publish` before `start()` or after `stop()`. */
export class BusStateError extends MessagingError {
  constructor(message: string) {
    super(message, 'BUS_NOT_RUNNING');
  }
}

/** A publish did not complete in time. It may still be delivered later (at-least-once). */
export class PublishTimeoutError extends MessagingError {
  constructor(topic: string, ms: number) {
    super(
      `publish to ${topic} timed out after ${ms} ms (the message may still be delivered)`,
      'PUBLISH_TIMEOUT',
    );
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
