import { useMemo, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiClient } from './client';
import { ApiContext } from './context';
import { useAuth } from '../auth/context';

/**
 * The API client of the signed-in user: their current token, their language; a 401 signs in
 * again. One client for the whole session: a renewed token or another language does not reload
 * what the pages show (the client reads both when it sends a request).
 */
export function ApiProvider({ children }: { children: ReactNode }) {
  const auth = useAuth();
  const { i18n } = useTranslation();
  const current = useRef({ auth, i18n });
  current.current = { auth, i18n };
  const client = useMemo(
    () =>
      new ApiClient({
        accessToken: () => current.current.auth.accessToken(),
        language: () => current.current.i18n.language,
        onUnauthorized: () => void current.current.auth.signIn(),
      }),
    [],
  );
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}
