import { useTranslation } from 'react-i18next';

/** "n of total shown" and a button for the next page of a cursor-paged list. */
export function LoadMore({
  shown,
  total,
  more,
  busy,
}: {
  shown: number;
  total: number;
  more?: () => void;
  busy?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <div className="load-more">
      <span>{t('common.shownOf', { shown, total })}</span>
      {more && (
        <button type="button" className="secondary" onClick={more} disabled={busy}>
          {t('common.loadMore')}
        </button>
      )}
    </div>
  );
}
