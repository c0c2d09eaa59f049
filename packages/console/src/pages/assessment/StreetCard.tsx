import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { Rating } from '../../api/types';
import { ColourBadge } from '../../components/Badges';
import { formatNumber } from '../../format';
import { useLang } from '../../i18n';

const detail = (period: string, r: Rating) =>
  `/assessment/${encodeURIComponent(period)}/${encodeURIComponent(r.subjectId)}`;

/** A street's service index and its communities' fortress indices as coloured tiles. */
export function StreetCard({
  period,
  street,
  communities,
}: {
  period: string;
  street: Rating | null;
  communities: Rating[];
}) {
  const { t } = useTranslation();
  const lang = useLang();
  return (
    <article className={`panel street colour-edge-${street?.colour ?? 'none'}`}>
      <h2>
        {street ? (
          <>
            <Link to={detail(period, street)}>{street.name}</Link>{' '}
            <ColourBadge colour={street.colour} label={street.colourLabel} />{' '}
            <small>{formatNumber(street.score, lang)}</small>
          </>
        ) : (
          t('assessment.otherCommunities')
        )}
      </h2>
      <ul className="tiles">
        {communities.map((c) => (
          <li key={c.subjectId}>
            <Link to={detail(period, c)} className={`tile colour-${c.colour}`} data-testid="community-tile">
              <span className="tile-name">{c.name}</span>
              <span className="tile-score">
                {c.colourLabel[lang]} · {formatNumber(c.score, lang)}
              </span>
            </Link>
          </li>
        ))}
        {communities.length === 0 && <li className="empty">{t('assessment.noCommunities')}</li>}
      </ul>
    </article>
  );
}
