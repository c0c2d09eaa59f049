// The retry schedule both adapters share (src/delivery.ts), on jest's fake clock: which try happens
// when, and that the Kafka adapter's heartbeat keeps the group membership alive during a backoff.
import { backoffDelay, DEFAULT_RETRY, HEADERS, silentLogger, type RawMessage } from '../src/index.js';
import { deliverEvent, type DeliveryEnv } from '../src/delivery.js';
import { retryPolicy } from '../src/retry.js';
import { happened } from './support/events.js';

describe('retry schedule', () => {
  it('doubles the delay from backoffMs and caps it at maxBackoffMs', () => {
    const policy = retryPolicy({ maxAttempts: 8, backoffMs: 100, maxBackoffMs: 1000 });
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(policy, a))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(DEFAULT_RETRY).toEqual({ maxAttempts: 5, backoffMs: 200, maxBackoffMs: 30_000 });
    expect(() => retryPolicy({ maxAttempts: 0 })).toThrow(RangeError);
  });

  describe('on the fake clock', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    const message = (): RawMessage => ({
      key: 'k',
      value: JSON.stringify(happened('k', 1)),
      headers: { [HEADERS.ceId]: 'x' },
    });
    const at = { topic: 'honglian.test-retry.v1', partition: 0, offset: '41' };

    function env(overrides: Partial<DeliveryEnv> = {}) {
      const letters: RawMessage[] = [];
      const e: DeliveryEnv = {
        groupId: 'g',
        policy: retryPolicy({ maxAttempts: 4, backoffMs: 100, maxBackoffMs: 250 }),
        signal: new AbortController().signal,
        deadLetter: async (m) => void letters.push(m),
        logger: silentLogger,
        ...overrides,
      };
      return { env: e, letters };
    }

    it('tries again after 100, 200 and 250 ms, then dead-letters', async () => {
      const tries: number[] = [];
      const { env: e, letters } = env();
      const outcome = deliverEvent(
        message(),
        at,
        async (_event, meta) => {
          tries.push(meta.attempt);
          throw new Error('still failing');
        },
        e,
      );
      await jest.advanceTimersByTimeAsync(0);
      expect(tries).toEqual([1]);
      for (const [delay, expected] of [
        [100, 2],
        [200, 3],
        [250, 4],
      ] as const) {
        await jest.advanceTimersByTimeAsync(delay - 1);
        expect(tries).toHaveLength(expected - 1); // not a millisecond early
        await jest.advanceTimersByTimeAsync(1);
        expect(tries).toHaveLength(expected);
      }
      await expect(outcome).resolves.toBe('dead-lettered');
      expect(letters).toHaveLength(1);
      expect(letters[0]!.headers).toMatchObject({
        [HEADERS.failureAttempts]: '4',
        [HEADERS.failureReason]: 'handler failed after 4 attempt(s): still failing',
        [HEADERS.originalOffset]: '41',
      });
    });

    it('heartbeats at least every second during a long backoff (Kafka keeps the partition)', async () => {
      let heartbeats = 0;
      let tries = 0;
      const { env: e } = env({
        policy: retryPolicy({ maxAttempts: 2, backoffMs: 3500 }),
        heartbeat: async () => void (heartbeats += 1),
      });
      const outcome = deliverEvent(
        message(),
        at,
        async () => {
          tries += 1;
          if (tries === 1) throw new Error('once');
        },
        e,
      );
      await jest.advanceTimersByTimeAsync(3499);
      expect(tries).toBe(1);
      expect(heartbeats).toBe(3);
      await jest.advanceTimersByTimeAsync(1);
      await expect(outcome).resolves.toBe('handled');
      expect(heartbeats).toBe(4);
      expect(tries).toBe(2);
    });

    it('stops retrying when the member stops, leaving the message uncommitted', async () => {
      const stop = new AbortController();
      let tries = 0;
      const { env: e, letters } = env({ signal: stop.signal });
      const outcome = deliverEvent(
        message(),
        at,
        async () => {
          tries += 1;
          throw new Error('down');
        },
        e,
      );
      await jest.advanceTimersByTimeAsync(50);
      stop.abort();
      await expect(outcome).resolves.toBe('interrupted');
      expect(tries).toBe(1);
      expect(letters).toEqual([]);
    });
  });
});
