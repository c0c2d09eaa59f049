import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { Balance, MemberSummary } from '../../api/types';
import { ErrorBox } from '../../components/ErrorBox';
import { Loading } from '../../components/Loading';
import { formatNumber } from '../../format';
import { useLang } from '../../i18n';
import { useMemberId } from './useMember';

/** The member's start page: this half-year at a glance and what to do next. */
export function MemberHome() {
  const { t } = useTranslation();
  const lang = useLang();
  const memberId = useMemberId();
  const { data, error, loading, reload } = useLoad(
    (api) =>
      Promise.all([
        api.get<MemberSummary>(`${API.checkin}/members/${encodeURIComponent(memberId)}/summary`),
        api.get<Balance>(`${API.points}/members/${encodeURIComponent(memberId)}/balance`),
      ]),
    [memberId],
  );
  const [summary, balance] = data ?? [];
  return (
    <>
      <h1>{t('member.home.title')}</h1>
      {loading && <Loading />}
      <ErrorBox error={error} onRetry={reload} />
      {summary && balance && (
        <>
          <section className="card-grid" aria-label={t('member.home.glance')}>
            <div className="card stat-card">
              <span>{t('member.home.hours', { period: summary.period.label })}</span>
              <strong data-testid="member-hours">{formatNumber(summary.hours, lang)}</strong>
            </div>
            <div className="card stat-card">
              <span>{t('member.home.attendances')}</span>
              <strong>{summary.attendances}</strong>
            </div>
            <div className="card stat-card">
              <span>{t('member.points.balance')}</span>
              <strong>{formatNumber(balance.balance, lang)}</strong>
            </div>
            <div className="card stat-card">
              <span>{t('member.star.stars')}</span>
              <strong aria-label={t('member.star.starsOf', { n: balance.stars })}>
                {balance.stars > 0 ? '★'.repeat(balance.stars) : '—'}
              </strong>
            </div>
          </section>
          {summary.noShow && (
            <p className="warning" role="note">
              {t('member.home.noShow')}
            </p>
          )}
          {summary.owed.length > 0 && (
            <section className="card" aria-labelledby="owed-title">
              <h2 id="owed-title">{t('member.home.owed')}</h2>
              <ul>
                {summary.owed.map((o) => (
                  <li key={o.kind}>
                    {t(`member.reports.kinds.${o.kind}`)} · {t('member.home.dueOn', { day: o.dueOn })}
                    {o.overdue && <strong className="overdue"> {t('member.home.overdue')}</strong>}
                  </li>
                ))}
              </ul>
              <Link className="button" to="/m/reports">
                {t('member.home.goReport')}
              </Link>
            </section>
          )}
          <nav className="big-links" aria-label={t('member.home.shortcuts')}>
            <Link className="button big" to="/m/check-in">
              {t('member.nav.checkIn')}
            </Link>
            <Link className="button secondary big" to="/m/pledge">
              {t('member.nav.pledge')}
            </Link>
            <Link className="button secondary big" to="/m/orders">
              {t('member.nav.orders')}
            </Link>
          </nav>
        </>
      )}
    </>
  );
}
