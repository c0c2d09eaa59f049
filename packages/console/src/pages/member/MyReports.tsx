import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { CheckinReport, MemberSummary, Page } from '../../api/types';
import { StatusBadge } from '../../components/Badges';
import { ErrorBox } from '../../components/ErrorBox';
import { Loading } from '../../components/Loading';
import { formatDate } from '../../format';
import { useLang } from '../../i18n';
import { ReportForm } from './ReportForm';
import { useMemberId } from './useMember';

/** My reports to the residence community and the work unit's paired community (双报到), and reporting. */
export function MyReports() {
  const { t } = useTranslation();
  const lang = useLang();
  const memberId = useMemberId();
  const { data, error, loading, reload } = useLoad(
    (api) =>
      Promise.all([
        api.get<Page<CheckinReport>>(`${API.checkin}/reports`, { limit: 50 }),
        api.get<MemberSummary>(`${API.checkin}/members/${encodeURIComponent(memberId)}/summary`),
      ]),
    [memberId],
  );
  const [reports, summary] = data ?? [];
  const [sent, setSent] = useState<CheckinReport | null>(null);
  return (
    <>
      <h1>{t('member.reports.title')}</h1>
      {sent && (
        <p className="card success-card" role="status">
          {t('member.reports.sent', { community: sent.communityName })}
        </p>
      )}
      {loading && <Loading />}
      <ErrorBox error={error} onRetry={reload} />
      {reports && (
        <ul className="cards" data-testid="my-reports">
          {reports.items.length === 0 && <li className="empty">{t('member.reports.none')}</li>}
          {reports.items.map((r) => (
            <li key={r.id} className="card">
              <h2>{r.communityName}</h2>
              <p>
                {r.kindLabel[lang]}{' '}
                <StatusBadge tone={r.status === 'active' ? 'ok' : r.status === 'submitted' ? 'info' : 'warn'}>
                  {r.statusLabel[lang]}
                </StatusBadge>
                {r.noShow && <StatusBadge tone="bad">{t('reports.noShow')}</StatusBadge>}
              </p>
              <p className="hint">
                {t('member.reports.submitted', { day: formatDate(r.submittedAt, lang) })}
                {r.activatedAt &&
                  ` · ${t('member.reports.activated', { day: formatDate(r.activatedAt, lang) })}`}
              </p>
              {r.placement && (
                <p>
                  {t('member.reports.placement')}: {r.placement.post}
                  {r.placement.gridName && ` · ${r.placement.gridName}`}
                </p>
              )}
              {r.pledge ? (
                <p>{t('member.reports.pledgedOn', { day: formatDate(r.pledge.signedAt, lang) })}</p>
              ) : (
                (r.status === 'active' || r.status === 'submitted') && (
                  <Link
                    className="button secondary small"
                    to={`/m/pledge?report=${encodeURIComponent(r.id)}`}
                  >
                    {t('member.nav.pledge')}
                  </Link>
                )
              )}
            </li>
          ))}
        </ul>
      )}
      {summary && (
        <ReportForm
          key={JSON.stringify(summary.owed)}
          owed={summary.owed}
          onReported={(r) => {
            setSent(r);
            reload();
          }}
        />
      )}
    </>
  );
}
