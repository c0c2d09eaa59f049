import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/context';
import { LanguageSwitch } from './LanguageSwitch';

/** Who is signed in (name, role, scope), the language switch and sign-out. */
export function UserMenu({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  const { session, signOut } = useAuth();
  const role = session.roles[0];
  return (
    <div className="user-menu">
      {!compact && (
        <span className="user-name" data-testid="user-name">
          {session.name}
          {role && <small>{t(`roles.${role}`)}</small>}
        </span>
      )}
      <LanguageSwitch />
      <button type="button" className="secondary" data-testid="sign-out" onClick={() => void signOut()}>
        {t('auth.signOut')}
      </button>
    </div>
  );
}
