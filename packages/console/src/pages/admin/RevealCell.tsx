import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useAction } from '../../api/hooks';
import type { Member, Reveal } from '../../api/types';
import { ErrorBox } from '../../components/ErrorBox';

/**
 * The masked ID number and phone; "reveal" asks first (every reveal is audit-logged by the
 * registry, refused ones too) and shows the full values until hidden again.
 */
export function RevealCell({ member }: { member: Member }) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  const [shown, setShown] = useState<Reveal | null>(null);
  const reveal = useAction((api) =>
    api.get<Reveal>(`${API.registry}/members/${encodeURIComponent(member.id)}/reveal`),
  );
  if (shown)
    return (
      <div className="pii revealed" data-testid="pii-revealed">
        <span>{shown.idNumber}</span>
        <span>{shown.phone}</span>
        <button type="button" className="secondary small" onClick={() => setShown(null)}>
          {t('members.hide')}
        </button>
      </div>
    );
  return (
    <div className="pii">
      <span data-testid="pii-masked">{member.idNumber}</span>
      <span>{member.phone}</span>
      {asking ? (
        <span className="confirm" role="group" aria-label={t('members.revealConfirm')}>
          <span>{t('members.revealConfirm')}</span>
          <button
            type="button"
            className="small"
            disabled={reveal.busy}
            onClick={async () => {
              const r = await reveal.run();
              setAsking(false);
              if (r) setShown(r);
            }}
          >
            {t('common.confirm')}
          </button>
          <button type="button" className="secondary small" onClick={() => setAsking(false)}>
            {t('common.cancel')}
          </button>
        </span>
      ) : (
        <button type="button" className="secondary small" onClick={() => setAsking(true)}>
          {t('members.reveal')}
        </button>
      )}
      <ErrorBox error={reveal.error} />
    </div>
  );
}
