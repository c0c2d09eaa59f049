import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { ApiError } from '../../api/errors';
import { useAction } from '../../api/hooks';
import type { ImportReport } from '../../api/types';
import { ErrorBox } from '../../components/ErrorBox';
import { PageHeader } from '../../components/PageHeader';
import { ImportReportView } from './ImportReportView';
import { TemplateLinks } from './TemplateLinks';

export const IMPORT_KINDS = ['orgs', 'firms', 'contracts', 'pairings', 'members', 'workbook'] as const;

/**
 * Bulk import of CSV/XLSX: a dry run first (every row's error, nothing written), then the real
 * import, which the registry applies only when the file has no error at all.
 */
export function Imports() {
  const { t } = useTranslation();
  const [kind, setKind] = useState<(typeof IMPORT_KINDS)[number]>('members');
  const [file, setFile] = useState<File | null>(null);
  const [dryRun, setDryRun] = useState(true);
  const [report, setReport] = useState<ImportReport | null>(null);
  const send = useAction(async (api, f: File) => {
    try {
      return await api.upload<ImportReport>(`${API.registry}/imports`, f, { kind, dryRun });
    } catch (err) {
      // A file with row errors (dryRun=false) is refused with the report in the problem.
      if (err instanceof ApiError && err.body.report) return err.body.report as ImportReport;
      throw err;
    }
  });
  return (
    <>
      <PageHeader title={t('imports.title')} subtitle={t('imports.subtitle')} />
      <section className="panel" aria-labelledby="import-form">
        <h2 id="import-form">{t('imports.upload')}</h2>
        <form
          className="form-grid"
          onSubmit={async (e) => {
            e.preventDefault();
            if (!file) return;
            setReport(null);
            const r = await send.run(file);
            if (r) setReport(r);
          }}
        >
          <label>
            {t('imports.kind')}
            <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
              {IMPORT_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`imports.kinds.${k}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('imports.file')}
            <input
              type="file"
              accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          </label>
          <label className="checkbox">
            <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} />
            {t('imports.dryRun')}
          </label>
          <div className="form-actions">
            <button type="submit" disabled={!file || send.busy}>
              {dryRun ? t('imports.check') : t('imports.apply')}
            </button>
          </div>
        </form>
        <ErrorBox error={send.error} />
        <TemplateLinks kind={kind} />
      </section>
      {report && <ImportReportView report={report} />}
    </>
  );
}
