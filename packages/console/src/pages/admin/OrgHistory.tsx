import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { Org } from '../../api/types';
import { DataTable } from '../../components/DataTable';
import { ErrorBox } from '../../components/ErrorBox';
import { Loading } from '../../components/Loading';

/** Every version of a unit (renames, moves, closure), oldest first. */
export function OrgHistory({ id }: { id: string }) {
  const { t } = useTranslation();
  const { data, error, loading, reload } = useLoad(
    (api) =>
      api.get<{ id: string; versions: Org[] }>(`${API.registry}/orgs/${encodeURIComponent(id)}/history`),
    [id],
  );
  const name = data?.versions.at(-1)?.name ?? id;
  return (
    <section className="panel" aria-labelledby="history-title" data-testid="org-history">
      <h2 id="history-title">{t('orgs.history', { name })}</h2>
      {loading && <Loading />}
      <ErrorBox error={error} onRetry={reload} />
      {data && (
        <DataTable
          caption={t('orgs.history', { name })}
          rows={data.versions}
          rowKey={(v) => v.validFrom}
          columns={[
            { key: 'from', header: t('orgs.validFrom'), render: (v) => v.validFrom },
            { key: 'to', header: t('orgs.validTo'), render: (v) => v.validTo ?? t('orgs.current') },
            { key: 'name', header: t('common.name'), render: (v) => v.name },
            { key: 'parent', header: t('orgs.parent'), render: (v) => v.parentName ?? v.parentId ?? '—' },
          ]}
        />
      )}
    </section>
  );
}
