import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { Coverage as CoverageReport } from '../../api/types';
import { ErrorBox } from '../../components/ErrorBox';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { Stat } from '../../components/Stat';
import { cstDay } from '../../format';
import { useLang } from '../../i18n';

const COUNTED = ['street', 'community', 'grid', 'compound', 'building', 'property-firm', 'agency-unit'];

/** Units per level and the gaps that matter (compounds without a branch or a firm, buildings without a leader…). */
export function Coverage() {
  const { t } = useTranslation();
  const lang = useLang();
  const [asOf, setAsOf] = useState(cstDay());
  const { data, error, loading, reload } = useLoad(
    (api) => api.get<CoverageReport>(`${API.registry}/coverage`, { asOf }),
    [asOf],
  );
  return (
    <>
      <PageHeader
        title={t('coverage.title')}
        subtitle={t('coverage.subtitle')}
        actions={
          <label className="inline-field">
            {t('orgs.asOf')}
            <input type="date" value={asOf} onChange={(e) => e.target.value && setAsOf(e.target.value)} />
          </label>
        }
      />
      {loading && <Loading />}
      <ErrorBox error={error} onRetry={reload} />
      {data && (
        <>
          <section className="stats" aria-label={t('coverage.counts')}>
            {COUNTED.map((k) => (
              <Stat key={k} label={t(`orgKinds.${k}`)} value={data.counts[k] ?? 0} />
            ))}
          </section>
          <section className="gaps" aria-label={t('coverage.gaps')} data-testid="coverage-gaps">
            {Object.entries(data.gaps).map(([code, gap]) => (
              <article key={code} className={gap.count > 0 ? 'panel gap has-gap' : 'panel gap'}>
                <h2>
                  {gap.label[lang]} <span className="count">{gap.count}</span>
                </h2>
                {gap.units.length > 0 ? (
                  <ul className="chips">
                    {gap.units.map((u) => (
                      <li key={u.id}>{u.name}</li>
                    ))}
                  </ul>
                ) : (
                  <p className="empty">{t('coverage.none')}</p>
                )}
              </article>
            ))}
          </section>
        </>
      )}
    </>
  );
}
