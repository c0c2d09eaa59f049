import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useAction } from '../../api/hooks';
import type { Order } from '../../api/types';
import { hasRole, isOfficial } from '../../auth/claims';
import { useAuth } from '../../auth/context';
import { ErrorBox } from '../../components/ErrorBox';

type Step = null | 'dispatch' | 'reject' | 'complete' | 'rate';

/**
 * What the caller may do with an order now (居民点单 → 组织下单 → 党员接单 → done → rated):
 * staff open, dispatch or reject a new request; a member claims and completes; the resident rates.
 */
export function OrderActions({ order, onDone }: { order: Order; onDone: () => void }) {
  const { t } = useTranslation();
  const { session } = useAuth();
  const [step, setStep] = useState<Step>(null);
  const [value, setValue] = useState('');
  const [hours, setHours] = useState('1');
  const path = `${API.points}/orders/${encodeURIComponent(order.id)}`;
  const act = useAction((api, action: string, body?: object) => api.post(`${path}/${action}`, body));
  const run = async (action: string, body?: object) => {
    if ((await act.run(action, body)) !== undefined) {
      setStep(null);
      setValue('');
      onDone();
    }
  };
  const official = isOfficial(session);
  const member = hasRole(session, 'member');
  const mine = member && order.memberId === session.memberId;
  const buttons: { label: string; onClick: () => void; secondary?: boolean }[] = [];
  if (official && order.status === 'posted') {
    buttons.push({ label: t('orders.open'), onClick: () => void run('open') });
    buttons.push({ label: t('orders.dispatch'), onClick: () => setStep('dispatch'), secondary: true });
    buttons.push({ label: t('orders.reject'), onClick: () => setStep('reject'), secondary: true });
  }
  if (
    member &&
    (order.status === 'open' || (order.status === 'dispatched' && order.dispatchedTo === session.memberId))
  )
    buttons.push({ label: t('orders.claim'), onClick: () => void run('claim', {}) });
  if (mine && order.status === 'claimed')
    buttons.push({ label: t('orders.complete'), onClick: () => setStep('complete') });
  if ((official || hasRole(session, 'resident')) && order.status === 'done')
    buttons.push({ label: t('orders.rate'), onClick: () => setStep('rate') });
  if (buttons.length === 0 && !step) return null;
  return (
    <div className="row-actions">
      {!step &&
        buttons.map((b) => (
          <button
            key={b.label}
            type="button"
            className={b.secondary ? 'secondary small' : 'small'}
            disabled={act.busy}
            onClick={b.onClick}
          >
            {b.label}
          </button>
        ))}
      {step && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (step === 'dispatch') void run('dispatch', { memberId: value.trim() });
            if (step === 'reject') void run('reject', { reason: value.trim() });
            if (step === 'complete') void run('complete', { hours: Number(hours), proof: value.trim() });
            if (step === 'rate') void run('rate', { rating: Number(value || '5') });
          }}
        >
          {step === 'complete' && (
            <label>
              {t('orders.hours')}
              <input
                type="number"
                min={0.25}
                step={0.25}
                max={24}
                value={hours}
                onChange={(e) => setHours(e.target.value)}
                required
              />
            </label>
          )}
          <label>
            {t(`orders.prompt.${step}`)}
            {step === 'rate' ? (
              <select value={value || '5'} onChange={(e) => setValue(e.target.value)}>
                {[5, 4, 3, 2, 1].map((n) => (
                  <option key={n} value={n}>
                    {'★'.repeat(n)}
                  </option>
                ))}
              </select>
            ) : (
              <input value={value} onChange={(e) => setValue(e.target.value)} required />
            )}
          </label>
          <button type="submit" className="small" disabled={act.busy}>
            {t('common.confirm')}
          </button>
          <button type="button" className="secondary small" onClick={() => setStep(null)}>
            {t('common.cancel')}
          </button>
        </form>
      )}
      <ErrorBox error={act.error} />
    </div>
  );
}
