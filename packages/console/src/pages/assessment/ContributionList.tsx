import { useTranslation } from 'react-i18next';
import type { Rating } from '../../api/types';
import { formatNumber } from '../../format';
import { useLang } from '../../i18n';

/** The contributions of a rating as a list, for a phone: item, effect, points and how many events. */
export function ContributionList({ rating }: { rating: Rating }) {
  const { t } = useTranslation();
  const lang = useLang();
  if (rating.contributions.length === 0) return <p className="empty">{t('assessment.noContributions')}</p>;
  return (
    <ul className="list" aria-label={t('assessment.contributions')}>
      {rating.contributions.map((c) => (
        <li key={`${c.code}:${c.effect}`}>
          <span>
            {c.label[lang]}
            <small>
              {t(`assessment.effects.${c.effect}`)} · {t('assessment.eventsN', { n: c.events.length })}
              {c.capped && ` ${t('assessment.capped')}`}
            </small>
          </span>
          <strong className={c.effect === 'bonus' ? 'pos' : 'neg'}>
            {c.effect === 'deduction' ? '−' : c.effect === 'bonus' ? '+' : ''}
            {formatNumber(Math.abs(c.points), lang, 2)}
          </strong>
        </li>
      ))}
    </ul>
  );
}
