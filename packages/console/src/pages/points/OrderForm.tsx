import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useAction } from '../../api/hooks';
import { orgRootOf } from '../../auth/claims';
import { useAuth } from '../../auth/context';
import { ErrorBox } from '../../components/ErrorBox';

/** A resident's request (居民点单) or a micro-wish (微心愿, with a budget) at a community. */
export function OrderForm({ onPosted }: { onPosted: () => void }) {
  const { t } = useTranslation();
  const { session } = useAuth();
  const [kind, setKind] = useState<'request' | 'wish'>('request');
  const [communityId, setCommunityId] = useState(
    orgRootOf(session)?.includes('community') ? (orgRootOf(session) ?? '') : '',
  );
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [budget, setBudget] = useState('');
  const post = useAction((api) =>
    api.post(`${API.points}/orders`, {
      kind,
      communityId: communityId.trim(),
      title: title.trim(),
      description: description.trim(),
      ...(kind === 'wish' && budget ? { budget: Number(budget) } : {}),
    }),
  );
  return (
    <section className="panel" aria-labelledby="order-form">
      <h2 id="order-form">{t('orders.new')}</h2>
      <form
        className="form-grid"
        onSubmit={async (e) => {
          e.preventDefault();
          if ((await post.run()) !== undefined) onPosted();
        }}
      >
        <label>
          {t('orders.kind')}
          <select value={kind} onChange={(e) => setKind(e.target.value as 'request' | 'wish')}>
            <option value="request">{t('orders.kinds.request')}</option>
            <option value="wish">{t('orders.kinds.wish')}</option>
          </select>
        </label>
        <label>
          {t('orders.community')}
          <input value={communityId} onChange={(e) => setCommunityId(e.target.value)} required />
        </label>
        <label>
          {t('orders.titleField')}
          <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={100} />
        </label>
        <label>
          {t('orders.description')}
          <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={1000} />
        </label>
        {kind === 'wish' && (
          <label>
            {t('orders.budget')}
            <input
              type="number"
              min={1}
              max={300}
              value={budget}
              onChange={(e) => setBudget(e.target.value)}
            />
          </label>
        )}
        <div className="form-actions">
          <button type="submit" disabled={post.busy}>
            {t('orders.post')}
          </button>
        </div>
      </form>
      <ErrorBox error={post.error} />
    </section>
  );
}
