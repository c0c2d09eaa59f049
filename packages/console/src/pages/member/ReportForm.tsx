import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useAction } from '../../api/hooks';
import type { CheckinReport, MemberSummary } from '../../api/types';
import { ErrorBox } from '../../components/ErrorBox';

const listOf = (text: string) =>
  text
    .split(/[,，、;；\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Report to a community: the ones the registry says the member owes a report to, or another by its code. */
export function ReportForm({
  owed,
  onReported,
}: {
  owed: MemberSummary['owed'];
  onReported: (report: CheckinReport) => void;
}) {
  const { t } = useTranslation();
  const choices = owed.flatMap((o) =>
    o.communities.map((c) => ({ kind: o.kind, id: c.id, name: c.name ?? c.id })),
  );
  const [choice, setChoice] = useState(choices[0] ? `${choices[0].kind}|${choices[0].id}` : 'other');
  const [otherKind, setOtherKind] = useState<'residence' | 'work'>('residence');
  const [otherCommunity, setOtherCommunity] = useState('');
  const [specialties, setSpecialties] = useState('');
  const [preferences, setPreferences] = useState('');
  const submit = useAction((api) => {
    const [kind, communityId] = choice === 'other' ? [otherKind, otherCommunity.trim()] : choice.split('|');
    return api.post<CheckinReport>(`${API.checkin}/reports`, {
      kind,
      communityId,
      specialties: listOf(specialties),
      preferences: listOf(preferences),
    });
  });
  return (
    <section className="card" aria-labelledby="report-form-title">
      <h2 id="report-form-title">{t('member.reports.new')}</h2>
      <form
        className="stack"
        data-testid="report-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await submit.run();
          if (r) onReported(r);
        }}
      >
        <label>
          {t('member.reports.community')}
          <select value={choice} onChange={(e) => setChoice(e.target.value)} name="community">
            {choices.map((c) => (
              <option key={`${c.kind}|${c.id}`} value={`${c.kind}|${c.id}`}>
                {c.name} · {t(`member.reports.kinds.${c.kind}`)}
              </option>
            ))}
            <option value="other">{t('member.reports.other')}</option>
          </select>
        </label>
        {choice === 'other' && (
          <>
            <label>
              {t('member.reports.kind')}
              <select
                value={otherKind}
                onChange={(e) => setOtherKind(e.target.value as 'residence' | 'work')}
              >
                <option value="residence">{t('member.reports.kinds.residence')}</option>
                <option value="work">{t('member.reports.kinds.work')}</option>
              </select>
            </label>
            <label>
              {t('member.reports.communityCode')}
              <input value={otherCommunity} onChange={(e) => setOtherCommunity(e.target.value)} required />
            </label>
          </>
        )}
        <label>
          {t('member.reports.specialties')}
          <input
            value={specialties}
            onChange={(e) => setSpecialties(e.target.value)}
            placeholder={t('member.reports.specialtiesHint')}
          />
        </label>
        <label>
          {t('member.reports.preferences')}
          <input
            value={preferences}
            onChange={(e) => setPreferences(e.target.value)}
            placeholder={t('member.reports.preferencesHint')}
          />
        </label>
        <button type="submit" className="big" disabled={submit.busy}>
          {t('member.reports.submit')}
        </button>
      </form>
      <ErrorBox error={submit.error} />
    </section>
  );
}
