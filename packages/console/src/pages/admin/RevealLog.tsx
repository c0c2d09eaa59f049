import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { usePaged } from '../../api/paged';
import type { RevealLogEntry } from '../../api/types';
import { DataTable } from '../../components/DataTable';
import { ErrorBox } from '../../components/ErrorBox';
import { LoadMore } from '../../components/LoadMore';
import { formatDateTime } from '../../format';
import { useLang } from '../../i18n';

/** Who asked for members' personal data, and how it ended (the registry's audit log). */
export function RevealLog() {
  const { t } = useTranslation();
  const lang = useLang();
  const log = usePaged<RevealLogEntry>(`${API.registry}/reveals`, {}, 20);
  return (
    <section className="panel" aria-labelledby="reveal-log">
      <h2 id="reveal-log">{t('members.revealLog')}</h2>
      <ErrorBox error={log.error} onRetry={log.reload} />
      <DataTable
        caption={t('members.revealLog')}
        rows={log.items}
        rowKey={(e) => e.id}
        columns={[
          { key: 'at', header: t('common.time'), render: (e) => formatDateTime(e.at, lang) },
          { key: 'actor', header: t('members.actor'), render: (e) => e.actor },
          { key: 'member', header: t('members.member'), render: (e) => e.memberName ?? e.memberId },
          { key: 'outcome', header: t('members.outcome'), render: (e) => t(`members.outcomes.${e.outcome}`) },
        ]}
      />
      <LoadMore shown={log.items.length} total={log.total} more={log.more} busy={log.loading} />
    </section>
  );
}
