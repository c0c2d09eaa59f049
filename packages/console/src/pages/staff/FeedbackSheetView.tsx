import { useTranslation } from 'react-i18next';
import type { FeedbackSheet } from '../../api/types';
import { StatusBadge } from '../../components/Badges';
import { DataTable } from '../../components/DataTable';
import { Stat } from '../../components/Stat';
import { formatNumber, formatPercent } from '../../format';
import { useLang } from '../../i18n';

/** A unit's members: reports, attendance, hours, 报而不到 and the flags; rates against the 95 % line. */
export function FeedbackSheetView({ sheet }: { sheet: FeedbackSheet }) {
  const { t } = useTranslation();
  const lang = useLang();
  return (
    <section className="panel" aria-labelledby="sheet-title" data-testid="feedback-sheet">
      <h2 id="sheet-title">
        {sheet.unitName ?? sheet.unitId} · {sheet.period.label}{' '}
        {sheet.redFlag && <StatusBadge tone="bad">{t('feedback.redFlag')}</StatusBadge>}
      </h2>
      {sheet.redFlags.length > 0 && (
        <ul className="flags">
          {sheet.redFlags.map((f) => (
            <li key={f.code}>{f[lang]}</li>
          ))}
        </ul>
      )}
      <div className="stats">
        <Stat label={t('feedback.members')} value={sheet.totals.members} />
        <Stat
          label={t('feedback.reportRate')}
          value={formatPercent(sheet.totals.reportRate, lang)}
          hint={t('feedback.threshold', { pct: formatPercent(sheet.threshold, lang) })}
        />
        <Stat label={t('feedback.completionRate')} value={formatPercent(sheet.totals.completionRate, lang)} />
        <Stat label={t('feedback.attendances')} value={sheet.totals.attendances} />
        <Stat label={t('feedback.hours')} value={formatNumber(sheet.totals.hours, lang)} />
      </div>
      <DataTable
        caption={t('feedback.title')}
        rows={sheet.members}
        rowKey={(m) => m.memberId}
        columns={[
          { key: 'name', header: t('common.name'), render: (m) => m.name },
          {
            key: 'reports',
            header: t('feedback.reports'),
            render: (m) =>
              m.reports.length === 0
                ? t('feedback.notReported')
                : m.reports.map((r) => r.communityName).join('、'),
          },
          { key: 'att', header: t('feedback.attendances'), render: (m) => m.attendances, className: 'num' },
          {
            key: 'hours',
            header: t('feedback.hours'),
            render: (m) => formatNumber(m.hours, lang),
            className: 'num',
          },
          {
            key: 'flags',
            header: t('feedback.flags'),
            render: (m) => (
              <>
                {m.noShow && <StatusBadge tone="bad">{t('reports.noShow')}</StatusBadge>}
                {m.ratingCeiling === 'basic' && (
                  <StatusBadge tone="warn">{t('feedback.ceilingBasic')}</StatusBadge>
                )}
                {m.flags.map((f) => (
                  <StatusBadge key={f.code} tone="warn">
                    {f[lang]}
                  </StatusBadge>
                ))}
              </>
            ),
          },
        ]}
      />
    </section>
  );
}
