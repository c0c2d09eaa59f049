import { useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { API, type ApiClient } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { AssessmentDashboard, Page, Rating } from '../../api/types';
import { ErrorBox } from '../../components/ErrorBox';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { StreetCard } from './StreetCard';

/** Every rating of a level in a period (pages of 200). */
async function allRatings(api: ApiClient, period: string, level: string): Promise<Rating[]> {
  const out: Rating[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<Page<Rating>>(`${API.assessment}/ratings`, {
      period,
      level,
      limit: 200,
      cursor,
    });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < 5000);
  return out;
}

/** The periods rated (newest first), years before months and quarters of the same year. */
async function periodsOf(api: ApiClient): Promise<string[]> {
  const d = await api.get<AssessmentDashboard>(`${API.assessment}/dashboard`);
  return [...new Set(d.trend.map((t) => t.period))].sort(
    (a, b) => b.slice(0, 4).localeCompare(a.slice(0, 4)) || a.length - b.length || b.localeCompare(a),
  );
}

/** The tri-colour map (红黄灰): each street with its communities, coloured by their rating. */
export function TriColour() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const periods = useLoad(periodsOf, []);
  const period = params.get('period') ?? periods.data?.[0] ?? '';
  const ratings = useLoad(
    (api) =>
      period ? Promise.all([allRatings(api, period, 'street'), allRatings(api, period, 'community')]) : null,
    [period],
  );
  const [streets = [], communities = []] = ratings.data ?? [];
  const streetIds = new Set(streets.map((s) => s.subjectId));
  const loose = communities.filter((c) => !c.parentId || !streetIds.has(c.parentId));
  return (
    <>
      <PageHeader
        title={t('assessment.title')}
        subtitle={t('assessment.subtitle')}
        actions={
          <label className="inline-field">
            {t('assessment.period')}
            <select
              value={period}
              onChange={(e) => setParams({ period: e.target.value }, { replace: true })}
              data-testid="period-select"
            >
              {(periods.data ?? []).map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
        }
      />
      <ul className="legend" aria-label={t('assessment.legend')}>
        {(['red', 'yellow', 'grey'] as const).map((c) => (
          <li key={c} className={`colour-chip colour-${c}`}>
            {t(`colours.${c}`)} · {t(`assessment.meaning.${c}`)}
          </li>
        ))}
      </ul>
      {(periods.loading || ratings.loading) && <Loading />}
      <ErrorBox error={periods.error ?? ratings.error} onRetry={ratings.reload} />
      {periods.data && periods.data.length === 0 && <p className="empty">{t('dashboard.noRatings')}</p>}
      {ratings.data && (
        <div className="street-grid" data-testid="tri-colour">
          {streets.map((s) => (
            <StreetCard
              key={s.subjectId}
              period={period}
              street={s}
              communities={communities.filter((c) => c.parentId === s.subjectId)}
            />
          ))}
          {loose.length > 0 && <StreetCard period={period} street={null} communities={loose} />}
        </div>
      )}
    </>
  );
}
