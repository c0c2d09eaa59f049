import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useAction } from '../../api/hooks';
import { ErrorBox } from '../../components/ErrorBox';

/** Staff check a member without a phone in or out, as witness. */
export function WitnessForm({ activityId, onDone }: { activityId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [memberId, setMemberId] = useState('');
  const send = useAction((api, what: 'check-in' | 'check-out') =>
    api.post(`${API.checkin}/attendances/${what}`, { activityId, memberId: memberId.trim() }),
  );
  const go = async (what: 'check-in' | 'check-out') => {
    if ((await send.run(what)) !== undefined) {
      setMemberId('');
      onDone();
    }
  };
  return (
    <section className="panel" aria-labelledby="witness-title">
      <h2 id="witness-title">{t('attendance.witness')}</h2>
      <p className="hint">{t('attendance.witnessHint')}</p>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void go('check-in');
        }}
      >
        <label className="inline-field">
          {t('attendance.memberId')}
          <input value={memberId} onChange={(e) => setMemberId(e.target.value)} required />
        </label>
        <button type="submit" disabled={send.busy || !memberId.trim()}>
          {t('attendance.witnessIn')}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={send.busy || !memberId.trim()}
          onClick={() => void go('check-out')}
        >
          {t('attendance.witnessOut')}
        </button>
      </form>
      <ErrorBox error={send.error} />
    </section>
  );
}
