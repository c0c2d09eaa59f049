import type { Connection } from 'mongoose';

/** Relays listening for commits on a connection (same process). */
const listeners = new WeakMap<Connection, Set<() => void>>();

export function onOutboxCommit(connection: Connection, listener: () => void): () => void {
  let set = listeners.get(connection);
  if (!set) {
    set = new Set();
    listeners.set(connection, set);
  }
  set.add(listener);
  return () => set.delete(listener);
}

/** Nudges the relays of this connection (withOutbox does it after each commit that wrote events). */
export function notifyOutbox(connection: Connection): void {
  for (const listener of listeners.get(connection) ?? []) listener();
}
