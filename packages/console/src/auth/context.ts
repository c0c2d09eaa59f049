import { createContext, useContext } from 'react';
import type { UserManager } from 'oidc-client-ts';
import type { Session } from './claims';

export interface Auth {
  session: Session;
  manager: UserManager;
  /** The current access token (renewed in the background). */
  accessToken(): string | undefined;
  /** Leaves for the login page, coming back to `returnTo` (default: here). */
  signIn(returnTo?: string): Promise<void>;
  /** Signs out at the identity provider (end_session_endpoint) and comes back to `/`. */
  signOut(): Promise<void>;
}

export const AuthContext = createContext<Auth | null>(null);

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside <AuthProvider>');
  return auth;
}
