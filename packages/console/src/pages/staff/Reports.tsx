import { useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';
import { NoShowList } from './NoShowList';
import { ReportList } from './ReportList';

const TABS = ['submitted', 'active', 'no-shows', 'all'] as const;
type Tab = (typeof TABS)[number];

/** Reports to confirm (双报到), the active ones, and 报而不到. */
export function Reports() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get('tab') ?? '')
    ? (params.get('tab') as Tab)
    : 'submitted';
  return (
    <>
      <PageHeader title={t('reports.title')} subtitle={t('reports.subtitle')} />
      <div className="tabs" role="tablist" aria-label={t('reports.title')}>
        {TABS.map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            id={`tab-${k}`}
            aria-selected={tab === k}
            aria-controls="reports-panel"
            className={tab === k ? 'tab active' : 'tab'}
            onClick={() => setParams({ tab: k }, { replace: true })}
          >
            {t(`reports.tabs.${k}`)}
          </button>
        ))}
      </div>
      <div id="reports-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
        {tab === 'no-shows' ? <NoShowList /> : <ReportList status={tab === 'all' ? undefined : tab} />}
      </div>
    </>
  );
}
