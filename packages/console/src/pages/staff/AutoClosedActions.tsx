import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useAction } from '../../api/hooks';
import type { Attendance } from '../../api/types';
import { ErrorBox } from '../../components/ErrorBox';
import { fromCstInput, toCstInput } from '../../format';

/** Confirm an auto-closed session with the check-out staff witnessed (only then credited), or dismiss it. */
export function AutoClosedActions({ attendance, onDone }: { attendance: Attendance; onDone: () => void }) {
  const { t } = useTranslation();
  const [at, setAt] = useState(() => toCstInput(new Date(Date.parse(attendance.checkInAt) + 3_600_000)));
  const path = `${API.checkin}/attendances/${encodeURIComponent(attendance.id)}`;
  const confirm = useAction((api) => api.post(`${path}/confirm`, { checkOutAt: fromCstInput(at) }));
  const dismiss = useAction((api) => api.post(`${path}/dismiss`));
  return (
    <div className="row-actions">
      <label>
        <span className="sr-only">{t('attendance.witnessedCheckOut')}</span>
        <input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
      </label>
      <button
        type="button"
        className="small"
        disabled={confirm.busy}
        onClick={async () => (await confirm.run()) !== undefined && onDone()}
      >
        {t('attendance.confirm')}
      </button>
      <button
        type="button"
        className="secondary small"
        disabled={dismiss.busy}
        onClick={async () => (await dismiss.run()) !== undefined && onDone()}
      >
        {t('attendance.dismiss')}
      </button>
      <ErrorBox error={confirm.error ?? dismiss.error} />
    </div>
  );
}
