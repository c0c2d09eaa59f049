import { useTranslation } from 'react-i18next';
import type { ImportReport } from '../../api/types';
import { StatusBadge } from '../../components/Badges';
import { DataTable } from '../../components/DataTable';
import { Stat } from '../../components/Stat';
import { useLang } from '../../i18n';

/** An import's report: what it would do or did, and each row's error in the user's language. */
export function ImportReportView({ report }: { report: ImportReport }) {
  const { t } = useTranslation();
  const lang = useLang();
  const tone = report.status === 'invalid' ? 'bad' : report.status === 'applied' ? 'ok' : 'info';
  return (
    <section className="panel" aria-labelledby="import-report" data-testid="import-report">
      <h2 id="import-report">
        {t('imports.report')} <StatusBadge tone={tone}>{t(`imports.status.${report.status}`)}</StatusBadge>
      </h2>
      <div className="stats">
        <Stat label={t('imports.rows')} value={report.rows} />
        <Stat
          label={t('imports.toCreate')}
          value={report.applied ? report.created : report.planned.created}
        />
        <Stat
          label={t('imports.unchanged')}
          value={report.applied ? report.unchanged : report.planned.unchanged}
        />
        <Stat label={t('imports.errors')} value={report.errorCount} />
      </div>
      {report.sheets.length > 1 && (
        <DataTable
          caption={t('imports.sheets')}
          rows={report.sheets}
          rowKey={(s) => `${s.sheet ?? ''}:${s.kind}`}
          columns={[
            { key: 'sheet', header: t('imports.sheet'), render: (s) => s.sheet ?? '—' },
            { key: 'kind', header: t('imports.kind'), render: (s) => t(`imports.kinds.${s.kind}`) },
            { key: 'rows', header: t('imports.rows'), render: (s) => s.rows, className: 'num' },
            { key: 'errors', header: t('imports.errors'), render: (s) => s.errorCount, className: 'num' },
          ]}
        />
      )}
      {report.errors.length > 0 && (
        <>
          <h3>{t('imports.rowErrors')}</h3>
          <DataTable
            caption={t('imports.rowErrors')}
            rows={report.errors}
            rowKey={(e) => `${e.sheet ?? ''}:${e.row}:${e.column}:${e.reason.en}`}
            columns={[
              { key: 'sheet', header: t('imports.sheet'), render: (e) => e.sheet ?? '—' },
              { key: 'row', header: t('imports.row'), render: (e) => e.row, className: 'num' },
              { key: 'column', header: t('imports.column'), render: (e) => e.column },
              { key: 'reason', header: t('imports.reason'), render: (e) => e.reason[lang] },
            ]}
          />
          {report.errorCount > report.errors.length && (
            <p className="hint">{t('imports.moreErrors', { n: report.errorCount - report.errors.length })}</p>
          )}
        </>
      )}
    </section>
  );
}
