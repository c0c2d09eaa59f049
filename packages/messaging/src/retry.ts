import type { RetryPolicy } from './port.js';

export const DEFAULT_RETRY: Required<RetryPolicy> = { maxAttempts: 5, backoffMs: 200, maxBackoffMs: 30_000 };

export function retryPolicy(...overrides: (Partial<RetryPolicy> | undefined)[]): Required<RetryPolicy> {
  const policy = { ...DEFAULT_RETRY };
  for (const o of overrides) {
    if (!o) continue;
    if (o.maxAttempts !== undefined) policy.maxAttempts = o.maxAttempts;
    if (o.backoffMs !== undefined) policy.backoffMs = o.backoffMs;
    if (o.maxBackoffMs !== undefined) policy.maxBackoffMs = o.maxBackoffMs;
  }
  if (!(policy.maxAttempts >= 1)) throw new RangeError('retry.maxAttempts must be at least 1');
  if (!(policy.backoffMs >= 0)) throw new RangeError('retry.backoffMs must not be negative');
  return policy;
}

/** Delay after the given failed attempt (1-based): backoff · 2^(attempt-1), capped. */
export function backoffDelay(policy: Required<RetryPolicy>, attempt: number): number {
  const exp = Math.min(attempt - 1, 30);
  return Math.min(policy.backoffMs * 2 ** exp, policy.maxBackoffMs);
}

/** Resolves after `ms`, or early (without error) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) {
      if (ms <= 0) setImmediate(resolve);
      else resolve();
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
