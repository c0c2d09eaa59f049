import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import type { ApiClient } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { AssessmentDashboard, Attendance, ColourCounts, Org, Page } from '../../api/types';
import { useAuth } from '../../auth/context';
import { ErrorBox } from '../../components/ErrorBox';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { Stat } from '../../components/Stat';
import { currentPeriods, formatNumber } from '../../format';
import { useLang } from '../../i18n';

interface Figures {
  /** The county's name (or null for the city). */
  scope: string | null;
  orgs: number;
  members: number;
  activeReports: number;
  attendanceThisMonth: number;
  attendanceScanned: boolean;
  noShows: number;
  colours: { period: string | null; levels: Record<string, ColourCounts> };
}

/** Pages of attendance read to count this month's (the list has no date filter): at most this many records. */
const ATTENDANCE_SCAN = 2000;

async function attendanceThisMonth(
  api: ApiClient,
  month: string,
): Promise<{ count: number; complete: boolean }> {
  let cursor: string | undefined;
  let seen = 0;
  let count = 0;
  do {
    const page = await api.get<Page<Attendance>>(`${API.checkin}/attendances`, { limit: 200, cursor });
    seen += page.items.length;
    count += page.items.filter((a) => a.checkInAt && cstMonth(a.checkInAt) === month).length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor && seen < ATTENDANCE_SCAN);
  return { count, complete: !cursor };
}

const cstMonth = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 7);

/** The latest year rated (else the latest period) and its colour counts per level, from the trend. */
function coloursOf(d: AssessmentDashboard): Figures['colours'] {
  const periods = [...new Set(d.trend.map((t) => t.period))].sort();
  const years = periods.filter((p) => /^\d{4}$/.test(p));
  const period = years.at(-1) ?? periods.at(-1) ?? null;
  const levels: Record<string, ColourCounts> = {};
  for (const t of d.trend) if (t.period === period) levels[t.level] = t.counts;
  return { period, levels };
}

async function loadFigures(api: ApiClient, county: string | undefined): Promise<Figures> {
  const { month } = currentPeriods();
  // The county's unit carries its division code as id (the registry's convention for counties).
  const scope = county
    ? api
        .get<Org>(`${API.registry}/orgs/${encodeURIComponent(county)}`)
        .then((o) => o.name)
        .catch(() => county)
    : Promise.resolve(null);
  const total = (path: string, query = {}) =>
    api.get<Page<unknown>>(path, { ...query, limit: 1 }).then((p) => p.total);
  const [orgs, members, activeReports, attendance, noShows, colours] = await Promise.all([
    total(`${API.registry}/orgs`),
    total(`${API.registry}/members`),
    total(`${API.checkin}/reports`, { status: 'active' }),
    attendanceThisMonth(api, month),
    total(`${API.checkin}/views/no-shows`),
    api.get<AssessmentDashboard>(`${API.assessment}/dashboard`).then(coloursOf),
  ]);
  return {
    scope: await scope,
    orgs,
    members,
    activeReports,
    attendanceThisMonth: attendance.count,
    attendanceScanned: attendance.complete,
    noShows,
    colours,
  };
}

const LEVELS = ['street', 'community', 'member'] as const;

/** The county's (or city's) figures at a glance; every number is what the API answers in the caller's scope. */
export function Dashboard() {
  const { t } = useTranslation();
  const lang = useLang();
  const { session } = useAuth();
  const { data, error, loading, reload } = useLoad(
    (api) => loadFigures(api, session.county),
    [session.county],
  );
  const scope = session.county
    ? t('dashboard.scopeCounty', { county: data?.scope ?? session.county })
    : t('dashboard.scopeCity');
  return (
    <>
      <PageHeader title={t('dashboard.title')} subtitle={scope} />
      {loading && <Loading />}
      <ErrorBox error={error} onRetry={reload} />
      {data && (
        <>
          <section className="stats" aria-label={t('dashboard.figures')} data-testid="dashboard-figures">
            <Stat testId="stat-orgs" label={t('dashboard.orgs')} value={formatNumber(data.orgs, lang, 0)} />
            <Stat
              testId="stat-members"
              label={t('dashboard.members')}
              value={formatNumber(data.members, lang, 0)}
            />
            <Stat
              testId="stat-reported"
              label={t('dashboard.reported')}
              value={formatNumber(data.activeReports, lang, 0)}
              hint={<Link to="/reports">{t('dashboard.toReports')}</Link>}
            />
            <Stat
              testId="stat-attendance"
              label={t('dashboard.attendanceThisMonth')}
              value={formatNumber(data.attendanceThisMonth, lang, 0)}
              hint={
                data.attendanceScanned ? undefined : t('dashboard.attendancePartial', { n: ATTENDANCE_SCAN })
              }
            />
            <Stat
              testId="stat-no-shows"
              label={t('dashboard.noShows')}
              value={formatNumber(data.noShows, lang, 0)}
              hint={<Link to="/reports?status=active&noShow=1">{t('dashboard.toNoShows')}</Link>}
            />
          </section>
          <section className="panel" aria-labelledby="colours-title">
            <h2 id="colours-title">
              {t('dashboard.colours')}
              {data.colours.period && <small> · {data.colours.period}</small>}
            </h2>
            {data.colours.period ? (
              <div className="colour-levels" data-testid="colour-counts">
                {LEVELS.map((level) => {
                  const c = data.colours.levels[level];
                  return (
                    <div key={level} className="colour-level">
                      <h3>{t(`assessment.levels.${level}`)}</h3>
                      <ul>
                        {(['red', 'yellow', 'grey'] as const).map((colour) => (
                          <li key={colour} className={`colour-chip colour-${colour}`}>
                            <span>{t(`colours.${colour}`)}</span>
                            <strong data-testid={`colour-${level}-${colour}`}>{c?.[colour] ?? 0}</strong>
                          </li>
                        ))}
                      </ul>
                    </div>
                  );
                })}
              </div>
            ) : (
              <p className="empty">{t('dashboard.noRatings')}</p>
            )}
            <Link to="/assessment">{t('dashboard.toAssessment')}</Link>
          </section>
        </>
      )}
    </>
  );
}
