import { NavLink, Outlet } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/context';
import { MEMBER_NAV, visible } from '../nav';
import { UserMenu } from './UserMenu';

/** The member's pages, designed for a phone: a slim header and a bottom tab bar. */
export function MemberLayout() {
  const { t } = useTranslation();
  const { session } = useAuth();
  return (
    <div className="mobile">
      <a className="skip-link" href="#main">
        {t('common.skipToContent')}
      </a>
      <header className="mobile-top">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true">
            ★
          </span>
          <span>
            {t('app.short')}
            <small data-testid="user-name">{session.name}</small>
          </span>
        </span>
        <UserMenu compact />
      </header>
      <main id="main" className="mobile-content" tabIndex={-1}>
        <Outlet />
      </main>
      <nav className="tabbar" aria-label={t('nav.label')}>
        <ul>
          {visible(MEMBER_NAV, session.roles).map((i) => (
            <li key={i.to}>
              <NavLink to={i.to} end>
                {t(i.label)}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
    </div>
  );
}
