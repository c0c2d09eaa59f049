import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { User, UserManager } from 'oidc-client-ts';
import { useTranslation } from 'react-i18next';
import { AuthContext, type Auth } from './context';
import { sessionOf } from './claims';
import { SIGNED_OUT_FLAG, currentPath, type SigninState } from './oidc';
import { returnToOf } from './return-to';
import { Loading } from '../components/Loading';
import { ErrorBox } from '../components/ErrorBox';
import { SignedOut } from '../pages/common/SignedOut';

type Phase =
  | { kind: 'starting' }
  | { kind: 'signed-in'; user: User }
  | { kind: 'signed-out' }
  | { kind: 'redirecting' }
  | { kind: 'failed'; error: unknown };

/** The callback is processed once per page load, even if React mounts twice (StrictMode in development). */
let callback: Promise<User> | null = null;

const isCallback = () => window.location.pathname === '/callback';

async function start(manager: UserManager): Promise<User | null> {
  if (isCallback()) {
    callback ??= manager.signinRedirectCallback();
    const user = await callback;
    const state = user.state as Partial<SigninState> | undefined;
    window.history.replaceState(null, '', returnToOf(state?.returnTo));
    return user;
  }
  return manager.getUser();
}

/**
 * Signs the visitor in before anything else renders: a page opened without a session goes to the
 * login page and comes back to where it was (so a scanned check-in link survives the sign-in).
 * After signing out, `/` shows a signed-out page instead of signing in again at once.
 */
export function AuthProvider({ manager, children }: { manager: UserManager; children: ReactNode }) {
  const { t } = useTranslation();
  const [phase, setPhase] = useState<Phase>({ kind: 'starting' });

  const signIn = useCallback(
    async (returnTo: string = currentPath()) => {
      setPhase({ kind: 'redirecting' });
      window.sessionStorage.removeItem(SIGNED_OUT_FLAG);
      const state: SigninState = { returnTo: returnTo === '/callback' ? '/' : returnToOf(returnTo) };
      await manager.signinRedirect({ state });
    },
    [manager],
  );

  const signOut = useCallback(async () => {
    setPhase({ kind: 'redirecting' });
    window.sessionStorage.setItem(SIGNED_OUT_FLAG, '1');
    try {
      await manager.signoutRedirect();
    } catch {
      // No end_session_endpoint: forget the tokens here at least.
      await manager.removeUser();
      window.location.assign('/');
    }
  }, [manager]);

  useEffect(() => {
    let live = true;
    start(manager).then(
      (user) => {
        if (!live) return;
        if (user && !user.expired) setPhase({ kind: 'signed-in', user });
        else if (window.location.pathname === '/' && window.sessionStorage.getItem(SIGNED_OUT_FLAG))
          setPhase({ kind: 'signed-out' });
        else void signIn().catch((error: unknown) => live && setPhase({ kind: 'failed', error }));
      },
      (error: unknown) => live && setPhase({ kind: 'failed', error }),
    );
    const loaded = (user: User) => setPhase({ kind: 'signed-in', user });
    const expired = () => void signIn().catch((error: unknown) => setPhase({ kind: 'failed', error }));
    manager.events.addUserLoaded(loaded);
    manager.events.addAccessTokenExpired(expired);
    return () => {
      live = false;
      manager.events.removeUserLoaded(loaded);
      manager.events.removeAccessTokenExpired(expired);
    };
  }, [manager, signIn]);

  const user = phase.kind === 'signed-in' ? phase.user : null;
  const auth = useMemo<Auth | null>(
    () =>
      user
        ? {
            session: sessionOf(user.access_token, user.profile as Record<string, unknown>),
            manager,
            accessToken: () => user.access_token,
            signIn,
            signOut,
          }
        : null,
    [user, manager, signIn, signOut],
  );

  if (phase.kind === 'failed')
    return (
      <main className="auth-screen">
        <h1>{t('app.name')}</h1>
        <ErrorBox error={phase.error} onRetry={() => void signIn('/')} />
      </main>
    );
  if (phase.kind === 'signed-out') return <SignedOut onSignIn={() => void signIn('/')} />;
  if (!auth)
    return (
      <main className="auth-screen">
        <Loading label={t('auth.signingIn')} />
      </main>
    );
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}
