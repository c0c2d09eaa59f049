import { COLLECTIONS, type OutboxRelay } from '@honglian/messaging';
import type { Connection } from './scenario.js';

export interface RelayRestart {
  /** The n-th publish of the watched events during which the relay was restarted. */
  atPublish: number;
  /**
   * `graceful`: stop() then start(): the batch in flight stops after the record being published,
   * whose acknowledgement is lost (sent, not marked). `crash`: the same, and the marks the cut
   * batch wrote are undone, as when the process dies before marking: the records it published
   * go out again.
   */
  kind: 'graceful' | 'crash';
  /** Records still pending in the outbox right after the stop (the rest of the batch and beyond). */
  pendingAfterStop: number;
  /** Records of the cut batch set back to pending (`crash` only). */
  unmarked: number;
}

/**
 * Restarts a service's outbox relay in the middle of its batches: when the relay publishes the
 * n-th event of a kind (for each n of `at`), that publish is reported failed although it went
 * out (see ChaosBus `afterPublish`) and the relay is stopped and started again, alternately
 * gracefully and as a crash. Use `afterPublish` as the chaos bus's hook.
 */
export class RelayRestarter {
  readonly restarts: RelayRestart[] = [];
  private seen = 0;
  private running: Promise<void>[] = [];

  constructor(
    private readonly relay: OutboxRelay,
    private readonly conn: Connection,
    private readonly topic: string,
    private readonly eventType: string,
    private readonly at: readonly number[],
  ) {}

  afterPublish = (topic: string, event: { type: string }): 'ack-lost' | undefined => {
    if (topic !== this.topic || event.type !== this.eventType) return undefined;
    this.seen += 1;
    const index = this.at.indexOf(this.seen);
    if (index < 0) return undefined;
    // Not awaited: stop() waits for the publish in flight, which is this very call.
    this.running.push(this.restart(this.seen, index % 2 === 0 ? 'graceful' : 'crash'));
    return 'ack-lost';
  };

  /** Resolves once every restart begun so far is over (the relay running again). */
  async settled(): Promise<void> {
    await Promise.all(this.running);
  }

  private async restart(atPublish: number, kind: RelayRestart['kind']): Promise<void> {
    const outbox = this.conn.collection(COLLECTIONS.outbox);
    const stopBegan = new Date();
    await this.relay.stop();
    let unmarked = 0;
    if (kind === 'crash') {
      // Only the cut batch was marked since the stop began (rounds never overlap, and the relay
      // is stopped now): a process dying before that mark leaves exactly these pending.
      const res = await outbox.updateMany(
        { status: 'sent', sentAt: { $gte: stopBegan } },
        { $set: { status: 'pending' }, $unset: { sentAt: '' } },
      );
      unmarked = res.modifiedCount;
    }
    const pendingAfterStop = await outbox.countDocuments({ status: 'pending' });
    this.restarts.push({ atPublish, kind, pendingAfterStop, unmarked });
    await this.relay.start();
  }
}
