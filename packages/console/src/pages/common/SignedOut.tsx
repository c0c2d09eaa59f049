import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../../components/LanguageSwitch';

/** Where the end-session endpoint sends the browser back to. */
export function SignedOut({ onSignIn }: { onSignIn: () => void }) {
  const { t } = useTranslation();
  return (
    <main className="auth-screen" data-testid="signed-out">
      <div className="auth-card">
        <span className="brand-mark big" aria-hidden="true">
          ★
        </span>
        <h1>{t('app.name')}</h1>
        <p>{t('auth.signedOut')}</p>
        <button type="button" onClick={onSignIn}>
          {t('auth.signIn')}
        </button>
        <LanguageSwitch />
      </div>
    </main>
  );
}
