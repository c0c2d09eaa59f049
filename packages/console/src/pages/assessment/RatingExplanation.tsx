import { useTranslation } from 'react-i18next';
import type { Rating } from '../../api/types';
import { StatusBadge } from '../../components/Badges';
import { DataTable } from '../../components/DataTable';
import { formatDateTime, formatNumber } from '../../format';
import { useLang } from '../../i18n';
import { ContributionList } from './ContributionList';

/** Every rating explains itself: base + bonus − deductions = score, the rule version, each contribution and its events. */
export function RatingExplanation({ rating, compact = false }: { rating: Rating; compact?: boolean }) {
  const { t } = useTranslation();
  const lang = useLang();
  return (
    <div className="explanation" data-testid="rating-explanation">
      <p className="formula" aria-label={t('assessment.formula')}>
        <span>
          {t('assessment.base')} {formatNumber(rating.base, lang)}
        </span>
        <span>
          + {t('assessment.bonus')} {formatNumber(rating.bonus, lang)}
        </span>
        <span>
          − {t('assessment.deduction')} {formatNumber(rating.deduction, lang)}
        </span>
        <strong>
          = {formatNumber(rating.score, lang)} {t('assessment.points')}
        </strong>
      </p>
      {(rating.reset || rating.backward) && (
        <p>
          {rating.reset && <StatusBadge tone="bad">{t('assessment.reset')}</StatusBadge>}
          {rating.backward && <StatusBadge tone="bad">{t('assessment.backward')}</StatusBadge>}
        </p>
      )}
      <p className="hint">
        {t('assessment.ruleVersion', { version: rating.ruleVersion })} ·{' '}
        {t(`assessment.status.${rating.status}`)} ·{' '}
        {t('assessment.computedAt', { time: formatDateTime(rating.computedAt, lang) })}
      </p>
      {compact ? (
        <ContributionList rating={rating} />
      ) : (
        <DataTable
          caption={t('assessment.contributions')}
          rows={rating.contributions}
          rowKey={(c) => `${c.code}:${c.effect}`}
          empty={t('assessment.noContributions')}
          columns={[
            { key: 'label', header: t('assessment.item'), render: (c) => c.label[lang] },
            {
              key: 'effect',
              header: t('assessment.effect'),
              render: (c) => t(`assessment.effects.${c.effect}`),
            },
            {
              key: 'units',
              header: t('assessment.units'),
              render: (c) => formatNumber(c.units, lang, 2),
              className: 'num',
            },
            {
              key: 'points',
              header: t('assessment.points'),
              render: (c) => (
                <>
                  {c.effect === 'deduction' ? '−' : c.effect === 'bonus' ? '+' : ''}
                  {formatNumber(Math.abs(c.points), lang, 2)}
                  {c.capped && <small> {t('assessment.capped')}</small>}
                </>
              ),
              className: 'num',
            },
            {
              key: 'events',
              header: t('assessment.events'),
              render: (c) =>
                c.events.length === 0 ? (
                  '—'
                ) : (
                  <details>
                    <summary>{t('assessment.eventsN', { n: c.events.length })}</summary>
                    <ul className="event-ids">
                      {c.events.map((e) => (
                        <li key={e}>
                          <code>{e}</code>
                        </li>
                      ))}
                    </ul>
                  </details>
                ),
            },
          ]}
        />
      )}
    </div>
  );
}
