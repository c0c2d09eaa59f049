/** What happened to one delivery of a consumed message (metrics; see `onDelivery`). */
export interface DeliveryObservation {
  groupId: string;
  topic: string;
  /** Empty when the message was not a valid event. */
  eventType: string;
  /**
   * `handled`: the handler succeeded; `failed`: one try failed (it is retried or dead-lettered);
   * `dead_lettered`: written to `<topic>.dlq` (invalid, or every try failed).
   */
  outcome: 'handled' | 'failed' | 'dead_lettered';
}

type Listener = (observation: DeliveryObservation) => void;
const listeners = new Set<Listener>();

/**
 * Listens to every delivery of every bus in this process (both adapters), e.g. to count
 * processed, failed and dead-lettered events per consumer group. Returns the unsubscribe.
 * Listeners must not throw; one that does is ignored.
 */
export function onDelivery(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** @internal */
export function observeDelivery(observation: DeliveryObservation): void {
  for (const listener of listeners) {
    try {
      listener(observation);
    } catch {
      // metrics must never break delivery
    }
  }
}
