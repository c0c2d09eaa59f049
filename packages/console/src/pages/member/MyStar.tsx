import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { Balance, Certificate, Page, Rating } from '../../api/types';
import { ColourBadge, StatusBadge } from '../../components/Badges';
import { ErrorBox } from '../../components/ErrorBox';
import { Loading } from '../../components/Loading';
import { formatDate, formatNumber } from '../../format';
import { useLang } from '../../i18n';
import { RatingExplanation } from '../assessment/RatingExplanation';
import { useMemberId } from './useMember';

/** My star level, my certificates, and my pioneer index (先锋指数) with its explanation. */
export function MyStar() {
  const { t } = useTranslation();
  const lang = useLang();
  const memberId = encodeURIComponent(useMemberId());
  const star = useLoad(
    (api) =>
      Promise.all([
        api.get<Balance>(`${API.points}/members/${memberId}/balance`),
        api.get<Page<Certificate>>(`${API.points}/certificates`, { limit: 50 }),
      ]),
    [memberId],
  );
  const index = useLoad((api) => api.get<Rating>(`${API.assessment}/live/${memberId}`), [memberId]);
  const [balance, certificates] = star.data ?? [];
  // The ledger says how many more hours the next star needs (null at the top level).
  const remaining = balance?.nextStarHours ?? null;
  return (
    <>
      <h1>{t('member.star.title')}</h1>
      {star.loading && <Loading />}
      <ErrorBox error={star.error} onRetry={star.reload} />
      {balance && (
        <section className="card star-card" aria-labelledby="star-level">
          <h2 id="star-level">
            <span className="stars" aria-hidden="true">
              {balance.stars > 0 ? '★'.repeat(balance.stars) : '☆'}
            </span>{' '}
            <span data-testid="star-level">
              {balance.stars > 0 ? t('member.star.level', { n: balance.stars }) : t('member.star.noStar')}
            </span>
          </h2>
          <p>{t('member.star.hours', { hours: formatNumber(balance.hours, lang) })}</p>
          {remaining !== null && (
            <>
              <progress
                max={balance.hours + remaining}
                value={balance.hours}
                aria-label={t('member.star.toNext', { hours: formatNumber(remaining, lang) })}
              />
              <p className="hint">{t('member.star.toNext', { hours: formatNumber(remaining, lang) })}</p>
            </>
          )}
        </section>
      )}
      {certificates && (
        <section className="card" aria-labelledby="cert-title">
          <h2 id="cert-title">{t('member.star.certificates')}</h2>
          {certificates.items.length === 0 ? (
            <p className="empty">{t('member.star.noCertificates')}</p>
          ) : (
            <ul className="list">
              {certificates.items.map((c) => (
                <li key={c.id}>
                  <span>
                    {c.number} · {c.issuer}
                    <small>
                      {' '}
                      {formatDate(c.periodFrom, lang)} – {formatDate(c.periodTo, lang)} ·{' '}
                      {t('member.points.hoursN', { n: formatNumber(c.hours, lang) })}
                    </small>
                  </span>
                  <StatusBadge tone={c.status === 'issued' ? 'ok' : 'info'}>
                    {c.status === 'issued'
                      ? t('member.star.issued', { day: formatDate(c.issuedAt, lang) })
                      : t('member.star.notice', { day: formatDate(c.noticeUntil, lang) })}
                  </StatusBadge>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <section className="card" aria-labelledby="index-title">
        <h2 id="index-title">
          {t('member.star.index')}{' '}
          {index.data && <ColourBadge colour={index.data.colour} label={index.data.colourLabel} />}
        </h2>
        <ErrorBox error={index.error} onRetry={index.reload} />
        {index.data && <RatingExplanation rating={index.data} compact />}
      </section>
    </>
  );
}
