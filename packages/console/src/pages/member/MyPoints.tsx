import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { usePaged } from '../../api/paged';
import type { Balance, Entry, MemberSummary } from '../../api/types';
import { ErrorBox } from '../../components/ErrorBox';
import { LoadMore } from '../../components/LoadMore';
import { Loading } from '../../components/Loading';
import { formatDate, formatDateTime, formatNumber } from '../../format';
import { useLang } from '../../i18n';
import { useMemberId } from './useMember';

/** My service hours (this half-year's sessions) and my points with every ledger entry behind them. */
export function MyPoints() {
  const { t } = useTranslation();
  const lang = useLang();
  const memberId = useMemberId();
  const id = encodeURIComponent(memberId);
  const head = useLoad(
    (api) =>
      Promise.all([
        api.get<Balance>(`${API.points}/members/${id}/balance`),
        api.get<MemberSummary>(`${API.checkin}/members/${id}/summary`),
      ]),
    [id],
  );
  const entries = usePaged<Entry>(`${API.points}/members/${id}/entries`, {}, 20);
  const [balance, summary] = head.data ?? [];
  return (
    <>
      <h1>{t('member.points.title')}</h1>
      {head.loading && <Loading />}
      <ErrorBox error={head.error} onRetry={head.reload} />
      {balance && summary && (
        <>
          <section className="card-grid" aria-label={t('member.points.totals')}>
            <div className="card stat-card">
              <span>{t('member.points.balance')}</span>
              <strong data-testid="points-balance">{formatNumber(balance.balance, lang)}</strong>
            </div>
            <div className="card stat-card">
              <span>{t('member.points.totalHours')}</span>
              <strong data-testid="points-hours">{formatNumber(balance.hours, lang)}</strong>
            </div>
          </section>
          <section className="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title">{t('member.points.sessions', { period: summary.period.label })}</h2>
            {summary.sessions.length === 0 ? (
              <p className="empty">{t('member.points.noSessions')}</p>
            ) : (
              <ul className="list">
                {summary.sessions.map((s) => (
                  <li key={s.id}>
                    <span>{formatDateTime(s.checkInAt, lang)}</span>
                    <strong>{t('member.points.hoursN', { n: formatNumber(s.hours, lang, 2) })}</strong>
                    {s.flags.length > 0 && <small>{s.flags.join(', ')}</small>}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
      <section className="card" aria-labelledby="entries-title">
        <h2 id="entries-title">{t('member.points.entries')}</h2>
        <ErrorBox error={entries.error} onRetry={entries.reload} />
        {entries.items.length === 0 && !entries.loading ? (
          <p className="empty">{t('common.empty')}</p>
        ) : (
          <ul className="list" data-testid="points-entries">
            {entries.items.map((e) => (
              <li key={e.id}>
                <span>
                  {t(`member.points.kinds.${e.kind}`)} · {formatDate(e.at, lang)}
                  {e.reason && <small> {e.reason}</small>}
                </span>
                <strong className={e.points < 0 ? 'neg' : 'pos'}>
                  {e.points > 0 ? '+' : ''}
                  {formatNumber(e.points, lang, 2)}
                </strong>
              </li>
            ))}
          </ul>
        )}
        <LoadMore
          shown={entries.items.length}
          total={entries.total}
          more={entries.more}
          busy={entries.loading}
        />
      </section>
    </>
  );
}
