import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient } from './client';
import { useApiClient } from './context';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/**
 * Loads what `load` returns whenever `deps` change (and on `reload`); the answer of a stale request
 * is dropped. `load` receives the API client; return null to load nothing yet.
 */
export function useLoad<T>(load: (api: ApiClient) => Promise<T> | null, deps: readonly unknown[]): Loaded<T> {
  const api = useApiClient();
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const loader = useRef(load);
  loader.current = load;

  useEffect(() => {
    let live = true;
    const pending = loader.current(api);
    if (!pending) {
      setState({ data: undefined, error: undefined, loading: false });
      return;
    }
    setState((s) => ({ ...s, loading: true, error: undefined }));
    pending.then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (error: unknown) => live && setState({ data: undefined, error, loading: false }),
    );
    return () => {
      live = false;
    };
    // `deps` are the caller's: what the loader reads.
  }, [api, tick, ...deps]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

/** Runs an action (a POST…) with its own busy flag and error; `run` resolves to the result or undefined. */
export function useAction<A extends unknown[], R>(action: (api: ApiClient, ...args: A) => Promise<R>) {
  const api = useApiClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const current = useRef(action);
  current.current = action;
  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setBusy(true);
      setError(undefined);
      try {
        return await current.current(api, ...args);
      } catch (err) {
        setError(err);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [api],
  );
  const clearError = useCallback(() => setError(undefined), []);
  return { run, busy, error, clearError };
}
