import { Link, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { Rating } from '../../api/types';
import { ColourBadge } from '../../components/Badges';
import { ErrorBox } from '../../components/ErrorBox';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { RatingExplanation } from './RatingExplanation';

/** One rating (a street, community or member in a period) with its explanation. */
export function RatingDetail() {
  const { t } = useTranslation();
  const { period = '', subjectId = '' } = useParams();
  const { data, error, loading, reload } = useLoad(
    (api) =>
      api.get<Rating>(
        `${API.assessment}/ratings/${encodeURIComponent(period)}/${encodeURIComponent(subjectId)}`,
      ),
    [period, subjectId],
  );
  return (
    <>
      <PageHeader
        title={data ? data.name : t('assessment.rating')}
        subtitle={
          data && (
            <>
              {t(`assessment.levels.${data.level}`)} · {data.period} ·{' '}
              <ColourBadge colour={data.colour} label={data.colourLabel} />
            </>
          )
        }
        actions={
          <Link to={`/assessment?period=${encodeURIComponent(period)}`}>← {t('assessment.back')}</Link>
        }
      />
      {loading && <Loading />}
      <ErrorBox error={error} onRetry={reload} />
      {data && (
        <section className="panel">
          <RatingExplanation rating={data} />
        </section>
      )}
    </>
  );
}
