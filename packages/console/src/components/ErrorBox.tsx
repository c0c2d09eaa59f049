import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/errors';
import { useLang } from '../i18n';

/** An error as the user reads it: a problem's reason in their language, its invalid fields, a retry. */
export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const lang = useLang();
  if (!error) return null;
  let text: string;
  let fields: string[] = [];
  let title = t('errors.title');
  if (error instanceof ApiError) {
    text = error.text(lang);
    fields = error.fields(lang);
    title =
      error.status === 404 ? t('errors.notFound') : error.status === 403 ? t('errors.forbidden') : title;
  } else if (error instanceof Error) text = error.message;
  else text = String(error);
  return (
    <div className="error-box" role="alert">
      <strong>{title}</strong>
      <p>{text}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      )}
      {onRetry && (
        <button type="button" className="secondary" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}
