import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { EvaluationResult } from '../../api/types';
import { StatusBadge } from '../../components/Badges';
import { formatNumber } from '../../format';
import { useLang } from '../../i18n';
import { ResultBreakdown } from './ResultBreakdown';

/** Firms ranked by composite score (not scored last); a row opens its per-compound breakdown. */
export function Ranking({ results }: { results: EvaluationResult[] }) {
  const { t } = useTranslation();
  const lang = useLang();
  const [open, setOpen] = useState<string | null>(null);
  const ranked = [...results].sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
  if (ranked.length === 0) return <p className="empty panel">{t('evaluation.noResults')}</p>;
  return (
    <section className="panel" aria-labelledby="ranking-title">
      <h2 id="ranking-title">{t('evaluation.ranking')}</h2>
      <div className="table-wrap" role="region" aria-label={t('evaluation.ranking')} tabIndex={0}>
        <table data-testid="ranking">
          <caption className="sr-only">{t('evaluation.ranking')}</caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                {t('leaderboard.rank')}
              </th>
              <th scope="col">{t('evaluation.firm')}</th>
              <th scope="col" className="num">
                {t('evaluation.score')}
              </th>
              <th scope="col">{t('evaluation.band')}</th>
              <th scope="col">{t('evaluation.tender')}</th>
              <th scope="col">{t('evaluation.households')}</th>
              <th scope="col">{t('common.status')}</th>
              <th scope="col">{t('evaluation.breakdown')}</th>
            </tr>
          </thead>
          <tbody>
            {ranked.map((r, i) => (
              <Fragment key={r.id}>
                <tr>
                  <td className="num">{r.score === null ? '—' : i + 1}</td>
                  <td>{r.firmName}</td>
                  <td className="num">{formatNumber(r.score, lang)}</td>
                  <td>
                    {r.band ? (
                      <span className={`badge band-${r.band}`}>{r.bandLabel?.[lang] ?? r.band}</span>
                    ) : (
                      t('evaluation.notScored')
                    )}
                    {r.vetoes.length > 0 && <StatusBadge tone="bad">{t('evaluation.veto')}</StatusBadge>}
                  </td>
                  <td>
                    {r.tender.barred ? (
                      <StatusBadge tone="bad">{t('evaluation.barred')}</StatusBadge>
                    ) : r.tender.bonus > 0 ? (
                      `+${r.tender.bonus}`
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    {r.households.scored}/{r.households.total}
                  </td>
                  <td>{t(`evaluation.resultStatus.${r.status}`)}</td>
                  <td>
                    <button
                      type="button"
                      className="secondary small"
                      aria-expanded={open === r.id}
                      onClick={() => setOpen(open === r.id ? null : r.id)}
                    >
                      {open === r.id ? t('common.hide') : t('common.show')}
                      <span className="sr-only"> {r.firmName}</span>
                    </button>
                  </td>
                </tr>
                {open === r.id && (
                  <tr className="detail-row">
                    <td colSpan={8}>
                      <ResultBreakdown result={r} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
