import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useAction } from '../../api/hooks';
import { ErrorBox } from '../../components/ErrorBox';

/** The import templates with the Chinese column headers (downloaded with the bearer token). */
export function TemplateLinks({ kind }: { kind: string }) {
  const { t } = useTranslation();
  const download = useAction((api, file: string) =>
    api.download(`${API.registry}/imports/templates/${file}`, undefined, file),
  );
  const files = kind === 'workbook' ? ['workbook.xlsx'] : [`${kind}.xlsx`, `${kind}.csv`];
  return (
    <div className="toolbar">
      <span>{t('imports.templates')}</span>
      {files.map((f) => (
        <button
          key={f}
          type="button"
          className="secondary small"
          disabled={download.busy}
          onClick={() => void download.run(f)}
        >
          {f}
        </button>
      ))}
      <ErrorBox error={download.error} />
    </div>
  );
}
