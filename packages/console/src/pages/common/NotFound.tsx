import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';

export function NotFound() {
  const { t } = useTranslation();
  return (
    <main className="notice" id="main">
      <h1>{t('errors.pageNotFoundTitle')}</h1>
      <p>{t('errors.pageNotFound')}</p>
      <Link to="/">{t('common.home')}</Link>
    </main>
  );
}
