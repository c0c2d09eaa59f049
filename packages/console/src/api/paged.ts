import { useCallback, useEffect, useRef, useState } from 'react';
import type { Query } from './client';
import { useApiClient } from './context';
import type { Page } from './types';

export interface Paged<T> {
  items: T[];
  total: number;
  loading: boolean;
  error: unknown;
  /** Loads the next page; undefined when there is none. */
  more: (() => void) | undefined;
  reload(): void;
}

/** A cursor-paged list (`items`, `nextCursor`, `total`), page after page; starts again when the query changes. */
export function usePaged<T>(path: string | null, query: Query = {}, limit = 50): Paged<T> {
  const api = useApiClient();
  const key = JSON.stringify([path, query, limit]);
  const [state, setState] = useState<{
    items: T[];
    total: number;
    cursor: string | null;
    loading: boolean;
    error: unknown;
  }>({
    items: [],
    total: 0,
    cursor: null,
    loading: true,
    error: undefined,
  });
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const queryRef = useRef(query);
  queryRef.current = query;

  const fetchPage = useCallback(
    async (cursor: string | null, append: boolean) => {
      if (!path) {
        setState({ items: [], total: 0, cursor: null, loading: false, error: undefined });
        return;
      }
      const mine = ++generation.current;
      setState((s) => ({ ...s, loading: true, error: undefined }));
      try {
        const page = await api.get<Page<T>>(path, {
          ...queryRef.current,
          limit,
          cursor: cursor ?? undefined,
        });
        if (mine !== generation.current) return;
        setState((s) => ({
          items: append ? [...s.items, ...page.items] : page.items,
          total: page.total,
          cursor: page.nextCursor,
          loading: false,
          error: undefined,
        }));
      } catch (error) {
        if (mine === generation.current) setState((s) => ({ ...s, loading: false, error }));
      }
    },
    [api, path, limit],
  );

  useEffect(() => {
    void fetchPage(null, false);
    // `key` stands for the path, query and limit.
  }, [fetchPage, key, tick]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  const more = state.cursor && !state.loading ? () => void fetchPage(state.cursor, true) : undefined;
  return { items: state.items, total: state.total, loading: state.loading, error: state.error, more, reload };
}
