import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';

export function NoAccess() {
  const { t } = useTranslation();
  return (
    <section className="notice" data-testid="no-access">
      <h1>{t('errors.noAccessTitle')}</h1>
      <p>{t('errors.noAccess')}</p>
      <Link to="/">{t('common.home')}</Link>
    </section>
  );
}
