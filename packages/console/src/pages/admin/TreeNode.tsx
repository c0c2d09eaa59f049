import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useAction } from '../../api/hooks';
import type { OrgTreeNode } from '../../api/types';
import { Bi } from '../../components/Badges';
import { ErrorBox } from '../../components/ErrorBox';

/** Levels fetched at once; deeper units load when their parent is opened. */
export const TREE_DEPTH = 2;

/**
 * One unit and what hangs under it. Units at the edge of what was fetched load their own subtree
 * when opened.
 */
export function TreeNode({
  node,
  level,
  asOf,
  selected,
  onSelect,
}: {
  node: OrgTreeNode;
  level: number;
  asOf: string;
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  const { t } = useTranslation();
  const [loaded, setLoaded] = useState<OrgTreeNode[] | null>(null);
  const [expanded, setExpanded] = useState(level < 1);
  const load = useAction((api) =>
    api.get<OrgTreeNode>(`${API.registry}/orgs/${encodeURIComponent(node.id)}/tree`, {
      asOf,
      depth: TREE_DEPTH,
    }),
  );
  const children = loaded ?? node.children;
  const atEdge = loaded === null && node.children.length === 0 && level > 0 && level % TREE_DEPTH === 0;
  const hasChildren = children.length > 0;
  return (
    <li>
      <div className="node">
        {hasChildren ? (
          <button
            type="button"
            className="toggle"
            aria-expanded={expanded}
            aria-label={`${expanded ? t('common.hide') : t('common.show')} ${node.name}`}
            onClick={() => setExpanded((e) => !e)}
          >
            <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>
          </button>
        ) : (
          <span className="toggle-space" aria-hidden="true" />
        )}
        <button
          type="button"
          className={selected === node.id ? 'link selected' : 'link'}
          aria-current={selected === node.id ? 'true' : undefined}
          onClick={() => onSelect(node.id)}
          data-testid="org-node"
        >
          {node.name}
        </button>
        <span className="kind">
          <Bi label={node.kindLabel} />
        </span>
        {atEdge && (
          <button
            type="button"
            className="secondary small"
            disabled={load.busy}
            onClick={async () => {
              const sub = await load.run();
              if (sub) {
                setLoaded(sub.children);
                setExpanded(true);
              }
            }}
          >
            {t('orgs.loadBelow')}
          </button>
        )}
      </div>
      {hasChildren && expanded && (
        <ul>
          {children.map((c) => (
            <TreeNode
              key={c.id}
              node={c}
              level={level + 1}
              asOf={asOf}
              selected={selected}
              onSelect={onSelect}
            />
          ))}
        </ul>
      )}
      <ErrorBox error={load.error} />
    </li>
  );
}
