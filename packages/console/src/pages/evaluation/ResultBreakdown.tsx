import { useTranslation } from 'react-i18next';
import type { EvaluationResult } from '../../api/types';
import { formatNumber } from '../../format';
import { useLang } from '../../i18n';

/** Per compound: each rater role's weight and score, the base, bonus points and vetoes, or why it is not scored. */
export function ResultBreakdown({ result }: { result: EvaluationResult }) {
  const { t } = useTranslation();
  const lang = useLang();
  return (
    <div className="breakdown" data-testid="breakdown">
      {result.compounds.map((c) => (
        <article key={c.compoundId} className="compound">
          <h3>
            {c.compoundName}{' '}
            <small>
              {c.households === null ? '' : t('evaluation.householdsN', { n: c.households })} ·{' '}
              {c.scored
                ? `${t('evaluation.score')} ${formatNumber(c.score, lang)}`
                : t('evaluation.notScored')}
            </small>
          </h3>
          {!c.scored && (
            <ul className="flags">
              {c.notScored.map((n) => (
                <li key={`${n.code}:${n.role ?? ''}`}>
                  {t(`evaluation.notScoredReasons.${n.code}`)}
                  {n.role && ` · ${t(`evaluation.raters.${n.role}`)}`}
                </li>
              ))}
            </ul>
          )}
          <ul className="role-lines">
            {c.roles.map((r) => (
              <li key={r.role}>
                <span>{t(`evaluation.raters.${r.role}`)}</span>
                <span>
                  {t('evaluation.weight')} {r.weight}
                </span>
                <strong>{formatNumber(r.score, lang)}</strong>
                {r.respondents !== null && <small>{t('evaluation.respondents', { n: r.respondents })}</small>}
              </li>
            ))}
          </ul>
          <p className="hint">
            {t('evaluation.base')} {formatNumber(c.base, lang)} + {t('evaluation.bonus')}{' '}
            {formatNumber(c.bonus, lang)}
            {c.vetoes.length > 0 && ` · ${t('evaluation.veto')}: ${c.vetoes.map((v) => v.code).join(', ')}`}
          </p>
        </article>
      ))}
    </div>
  );
}
