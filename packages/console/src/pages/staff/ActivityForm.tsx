import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useAction, useLoad } from '../../api/hooks';
import type { Activity, Org, Page } from '../../api/types';
import { ErrorBox } from '../../components/ErrorBox';
import { fromCstInput, toCstInput } from '../../format';

const HOUR = 3_600_000;

/** Publish an activity, or blow the whistle (a call with an expected arrival time). */
export function ActivityForm({
  onCreated,
  onCancel,
}: {
  onCreated: (a: Activity) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const communities = useLoad(
    (api) => api.get<Page<Org>>(`${API.registry}/orgs`, { kind: 'community', limit: 200 }),
    [],
  );
  const [kind, setKind] = useState<'activity' | 'call'>('activity');
  const [communityId, setCommunityId] = useState('');
  const [title, setTitle] = useState('');
  const [place, setPlace] = useState('');
  const [startsAt, setStartsAt] = useState(() => toCstInput(new Date()));
  const [endsAt, setEndsAt] = useState(() => toCstInput(new Date(Date.now() + 2 * HOUR)));
  const [capacity, setCapacity] = useState('');
  const [arrival, setArrival] = useState('30');
  const create = useAction((api) =>
    api.post<Activity>(`${API.checkin}/activities`, {
      kind,
      communityId: communityId || communities.data?.items[0]?.id,
      title: title.trim(),
      place: place.trim(),
      startsAt: fromCstInput(startsAt),
      endsAt: fromCstInput(endsAt),
      ...(capacity ? { capacity: Number(capacity) } : {}),
      ...(kind === 'call' && arrival ? { arrivalWithinMinutes: Number(arrival) } : {}),
    }),
  );
  return (
    <section className="panel" aria-labelledby="activity-form">
      <h2 id="activity-form">{t('activities.new')}</h2>
      <form
        className="form-grid"
        data-testid="activity-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const created = await create.run();
          if (created) onCreated(created);
        }}
      >
        <label>
          {t('activities.kind')}
          <select value={kind} onChange={(e) => setKind(e.target.value as 'activity' | 'call')} name="kind">
            <option value="activity">{t('activities.kinds.activity')}</option>
            <option value="call">{t('activities.kinds.call')}</option>
          </select>
        </label>
        <label>
          {t('reports.community')}
          <select value={communityId} onChange={(e) => setCommunityId(e.target.value)} name="communityId">
            {communities.data?.items.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('activities.titleField')}
          <input
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            name="title"
            required
            maxLength={100}
          />
        </label>
        <label>
          {t('activities.place')}
          <input value={place} onChange={(e) => setPlace(e.target.value)} name="place" maxLength={200} />
        </label>
        <label>
          {t('activities.startsAt')}
          <input
            type="datetime-local"
            value={startsAt}
            onChange={(e) => setStartsAt(e.target.value)}
            name="startsAt"
            required
          />
        </label>
        <label>
          {t('activities.endsAt')}
          <input
            type="datetime-local"
            value={endsAt}
            onChange={(e) => setEndsAt(e.target.value)}
            name="endsAt"
            required
          />
        </label>
        <label>
          {t('activities.capacity')}
          <input
            type="number"
            min={1}
            value={capacity}
            onChange={(e) => setCapacity(e.target.value)}
            name="capacity"
          />
        </label>
        {kind === 'call' && (
          <label>
            {t('activities.arrivalWithin')}
            <input
              type="number"
              min={1}
              max={1440}
              value={arrival}
              onChange={(e) => setArrival(e.target.value)}
              name="arrival"
            />
          </label>
        )}
        <p className="hint">{t('activities.timesInCst')}</p>
        <div className="form-actions">
          <button type="submit" disabled={create.busy || !communities.data}>
            {t('activities.publish')}
          </button>
          <button type="button" className="secondary" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
      <ErrorBox error={communities.error ?? create.error} />
    </section>
  );
}
