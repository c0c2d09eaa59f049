import { useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/context';
import { CONSOLE_NAV, visible } from '../nav';
import { UserMenu } from './UserMenu';

/** The officials' console: a sidebar on a desktop or tablet in landscape, a menu button below that. */
export function ConsoleLayout() {
  const { t } = useTranslation();
  const { session } = useAuth();
  const [open, setOpen] = useState(false);
  const location = useLocation();
  const sections = CONSOLE_NAV.map((s) => ({ ...s, items: visible(s.items, session.roles) })).filter(
    (s) => s.items.length > 0,
  );
  return (
    <div className="console">
      <a className="skip-link" href="#main">
        {t('common.skipToContent')}
      </a>
      <header className="topbar">
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={open}
          aria-controls="console-nav"
          onClick={() => setOpen((o) => !o)}
        >
          {t('nav.menu')}
        </button>
        <span className="brand">
          <span className="brand-mark" aria-hidden="true">
            ★
          </span>
          {t('app.name')}
        </span>
        <UserMenu />
      </header>
      <div className="console-body">
        <nav id="console-nav" className={open ? 'sidenav open' : 'sidenav'} aria-label={t('nav.label')}>
          {sections.map((s) => (
            <div key={s.label} className="nav-section">
              <h2>{t(s.label)}</h2>
              <ul>
                {s.items.map((i) => (
                  <li key={i.to}>
                    <NavLink to={i.to} onClick={() => setOpen(false)} end={i.to === '/'}>
                      {t(i.label)}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </nav>
        <main id="main" className="content" key={location.pathname} tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}
