import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { Org, OrgTreeNode, Page } from '../../api/types';
import { hasRole, orgRootOf } from '../../auth/claims';
import { useAuth } from '../../auth/context';
import { ErrorBox } from '../../components/ErrorBox';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { cstDay } from '../../format';
import { OrgHistory } from './OrgHistory';
import { OrgSearch } from './OrgSearch';
import { TREE_DEPTH, TreeNode } from './TreeNode';

/** The org tree as it stood on a day, the history of a unit, a search over the units in scope. */
export function OrgTree() {
  const { t } = useTranslation();
  const { session } = useAuth();
  const [asOf, setAsOf] = useState(cstDay());
  const [selected, setSelected] = useState<string | null>(null);
  const staffRoot =
    hasRole(session, 'community-staff') && !hasRole(session, 'city-admin', 'county-admin')
      ? orgRootOf(session)
      : undefined;
  const roots = useLoad(
    async (api) => {
      const ids = staffRoot
        ? [staffRoot]
        : (
            await api.get<Page<Org>>(`${API.registry}/orgs`, {
              kind: hasRole(session, 'city-admin') ? 'city' : 'county',
              asOf,
              limit: 50,
            })
          ).items.map((o) => o.id);
      return Promise.all(
        ids.map((id) =>
          api.get<OrgTreeNode>(`${API.registry}/orgs/${encodeURIComponent(id)}/tree`, {
            asOf,
            depth: TREE_DEPTH,
          }),
        ),
      );
    },
    [asOf, staffRoot],
  );
  return (
    <>
      <PageHeader
        title={t('orgs.title')}
        subtitle={t('orgs.subtitle')}
        actions={
          <label className="inline-field">
            {t('orgs.asOf')}
            <input
              type="date"
              value={asOf}
              onChange={(e) => e.target.value && setAsOf(e.target.value)}
              data-testid="as-of"
            />
          </label>
        }
      />
      <div className="split">
        <section className="panel tree-panel" aria-labelledby="tree-title">
          <h2 id="tree-title">{t('orgs.tree', { day: asOf })}</h2>
          {roots.loading && <Loading />}
          <ErrorBox error={roots.error} onRetry={roots.reload} />
          <ul className="tree" data-testid="org-tree">
            {roots.data?.map((root) => (
              <TreeNode
                key={root.id}
                node={root}
                level={0}
                asOf={asOf}
                selected={selected}
                onSelect={setSelected}
              />
            ))}
          </ul>
        </section>
        <div className="side">
          {selected && <OrgHistory id={selected} />}
          <OrgSearch asOf={asOf} onSelect={setSelected} />
        </div>
      </div>
    </>
  );
}
