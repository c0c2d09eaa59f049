import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useAction } from '../../api/hooks';
import type { CheckinReport } from '../../api/types';
import { ErrorBox } from '../../components/ErrorBox';

/** The community confirms a report (it becomes active) or turns it down with a reason. */
export function ReportActions({ report, onDone }: { report: CheckinReport; onDone: () => void }) {
  const { t } = useTranslation();
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const path = `${API.checkin}/reports/${encodeURIComponent(report.id)}`;
  const confirm = useAction((api) => api.post(`${path}/confirm`));
  const reject = useAction((api, why: string) => api.post(`${path}/reject`, { reason: why }));
  const done = (r: unknown) => r !== undefined && onDone();
  return (
    <div className="row-actions">
      {rejecting ? (
        <form
          className="inline-form"
          onSubmit={async (e) => {
            e.preventDefault();
            done(await reject.run(reason.trim()));
          }}
        >
          <label>
            <span className="sr-only">{t('reports.rejectReason')}</span>
            <input
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              placeholder={t('reports.rejectReason')}
              required
            />
          </label>
          <button type="submit" className="danger small" disabled={reject.busy}>
            {t('reports.reject')}
          </button>
          <button type="button" className="secondary small" onClick={() => setRejecting(false)}>
            {t('common.cancel')}
          </button>
        </form>
      ) : (
        <>
          <button
            type="button"
            className="small"
            disabled={confirm.busy}
            data-testid="confirm-report"
            aria-label={`${t('reports.confirm')} ${report.memberName}`}
            onClick={async () => done(await confirm.run())}
          >
            {t('reports.confirm')}
          </button>
          <button type="button" className="secondary small" onClick={() => setRejecting(true)}>
            {t('reports.reject')}
          </button>
        </>
      )}
      <ErrorBox error={confirm.error ?? reject.error} />
    </div>
  );
}
