import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { usePaged } from '../../api/paged';
import type { Org } from '../../api/types';
import { Bi } from '../../components/Badges';
import { DataTable } from '../../components/DataTable';
import { ErrorBox } from '../../components/ErrorBox';
import { LoadMore } from '../../components/LoadMore';
import { Loading } from '../../components/Loading';

/** Units in scope by name and kind, as they stood on the day. */
export function OrgSearch({ asOf, onSelect }: { asOf: string; onSelect: (id: string) => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState('');
  const [kind, setKind] = useState('');
  const [q, setQ] = useState('');
  const list = usePaged<Org>(
    `${API.registry}/orgs`,
    { q: q || undefined, kind: kind || undefined, asOf },
    50,
  );
  return (
    <section className="panel" aria-labelledby="org-list-title">
      <h2 id="org-list-title">{t('orgs.list')}</h2>
      <form
        className="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(draft.trim());
        }}
      >
        <label className="inline-field">
          {t('common.search')}
          <input value={draft} onChange={(e) => setDraft(e.target.value)} data-testid="org-search" />
        </label>
        <label className="inline-field">
          {t('orgs.kind')}
          <select value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="">{t('common.all')}</option>
            {['street', 'community', 'grid', 'compound', 'property-firm', 'agency-unit'].map((k) => (
              <option key={k} value={k}>
                {t(`orgKinds.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t('common.search')}</button>
      </form>
      {list.loading && list.items.length === 0 && <Loading />}
      <ErrorBox error={list.error} onRetry={list.reload} />
      <DataTable
        caption={t('orgs.list')}
        testId="org-list"
        rows={list.items}
        rowKey={(o) => o.id}
        columns={[
          {
            key: 'name',
            header: t('common.name'),
            render: (o) => (
              <button type="button" className="link" onClick={() => onSelect(o.id)}>
                {o.name}
              </button>
            ),
          },
          { key: 'kind', header: t('orgs.kind'), render: (o) => <Bi label={o.kindLabel} /> },
          { key: 'parent', header: t('orgs.parent'), render: (o) => o.parentName ?? '—' },
          { key: 'county', header: t('common.county'), render: (o) => o.county },
        ]}
      />
      <LoadMore shown={list.items.length} total={list.total} more={list.more} busy={list.loading} />
    </section>
  );
}
