import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { Cycle, EvaluationResult, Page } from '../../api/types';
import { ErrorBox } from '../../components/ErrorBox';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { formatDate } from '../../format';
import { useLang } from '../../i18n';
import { Ranking } from './Ranking';

/** Property-firm scorecards per cycle: the ranking by score, band and tender effect, each with its breakdown. */
export function Scorecards() {
  const { t } = useTranslation();
  const lang = useLang();
  const cycles = useLoad((api) => api.get<Page<Cycle>>(`${API.evaluation}/cycles`, { limit: 100 }), []);
  const [chosen, setChosen] = useState('');
  const sorted = [...(cycles.data?.items ?? [])].sort(
    (a, b) => b.period.localeCompare(a.period) || a.county.localeCompare(b.county),
  );
  const withResults = sorted.find((c) => ['computed', 'notice', 'published'].includes(c.status));
  const cycleId = chosen || withResults?.id || sorted[0]?.id || '';
  const results = useLoad(
    (api) =>
      cycleId
        ? api.get<Page<EvaluationResult>>(`${API.evaluation}/cycles/${encodeURIComponent(cycleId)}/results`, {
            limit: 200,
          })
        : null,
    [cycleId],
  );
  const cycle = sorted.find((c) => c.id === cycleId);
  return (
    <>
      <PageHeader title={t('evaluation.title')} subtitle={t('evaluation.subtitle')} />
      <section className="panel">
        <div className="toolbar">
          <label className="inline-field">
            {t('evaluation.cycle')}
            <select value={cycleId} onChange={(e) => setChosen(e.target.value)} data-testid="cycle-select">
              {sorted.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.county} · {c.period} · {c.statusLabel[lang]}
                </option>
              ))}
            </select>
          </label>
          {cycle?.publishedAt && (
            <span className="hint">
              {t('evaluation.publishedOn', { day: formatDate(cycle.publishedAt, lang) })}
            </span>
          )}
        </div>
        {cycles.loading && <Loading />}
        <ErrorBox error={cycles.error} onRetry={cycles.reload} />
        {cycles.data && sorted.length === 0 && <p className="empty">{t('evaluation.noCycles')}</p>}
      </section>
      {results.loading && <Loading />}
      <ErrorBox error={results.error} onRetry={results.reload} />
      {results.data && <Ranking results={results.data.items} />}
    </>
  );
}
