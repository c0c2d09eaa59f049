import type { ApiRouter } from '@honglian/service-kit';
import type { PublishedQueries } from '../app/published.js';
import { PUBLISHED_READERS, notFound, notModified, withEtag } from './common.js';
import {
  CreditParams,
  IdParams,
  PageOnly,
  PublishedQuery,
  PublishedView,
  VersionParams,
  page,
} from './schemas.js';
import { pageView, publishedView } from './views.js';

/** The consumer API: published results only, with ETags and cursor pagination. */
export function publishedRoutes(api: ApiRouter, published: PublishedQueries): void {
  const tags = ['Published 公布结果'];
  const list = page(PublishedView);
  const listSpec = (path: string, summary: string) => ({
    method: 'get' as const,
    path,
    summary,
    tags,
    roles: PUBLISHED_READERS,
    responses: {
      200: { description: 'A page of current published versions', schema: list },
      304: notModified,
    },
  });
  api
    .route(
      {
        ...listSpec('/published', 'Published results (current versions), by cycle, county or band'),
        request: { query: PublishedQuery },
      },
      async ({ query, principal, req }) =>
        withEtag(req, pageView(await published.list(principal, query), publishedView)),
    )
    .route(
      {
        ...listSpec('/published/firms/:creditCode', 'A firm’s published results by its credit code'),
        request: { params: CreditParams, query: PageOnly },
      },
      async ({ params, query, principal, req }) =>
        withEtag(
          req,
          pageView(await published.byCreditCode(principal, params.creditCode, query), publishedView),
        ),
    )
    .route(
      {
        ...listSpec('/published/red-list', 'Red list (红名单): current AAA results, not blacklisted'),
        request: { query: PageOnly },
      },
      async ({ query, principal, req }) =>
        withEtag(req, pageView(await published.redList(principal, query), publishedView)),
    )
    .route(
      {
        ...listSpec('/published/black-list', 'Black list (黑名单): blacklistings in force today'),
        request: { query: PageOnly },
      },
      async ({ query, principal, req }) =>
        withEtag(req, pageView(await published.blackList(principal, query), publishedView)),
    )
    .route(
      {
        method: 'get',
        path: '/published/results/:id',
        summary: 'The current published version of a result (ETag: its content hash)',
        tags,
        roles: PUBLISHED_READERS,
        request: { params: IdParams },
        responses: {
          200: { description: 'The version', schema: PublishedView },
          304: notModified,
          404: notFound,
        },
      },
      async ({ params, principal, req }) => {
        const v = await published.current(principal, params.id);
        return withEtag(req, publishedView(v), `"${v.contentHash}"`);
      },
    )
    .route(
      {
        method: 'get',
        path: '/published/results/:id/versions/:version',
        summary: 'One published version, current or superseded',
        tags,
        roles: PUBLISHED_READERS,
        request: { params: VersionParams },
        responses: {
          200: { description: 'The version', schema: PublishedView },
          304: notModified,
          404: notFound,
        },
      },
      async ({ params, principal, req }) => {
        const v = await published.version(principal, params.id, params.version);
        // A superseded version's representation changed (`current`, `supersededBy`): so does its ETag.
        return withEtag(
          req,
          publishedView(v),
          v.current ? `"${v.contentHash}"` : `"${v.contentHash}-superseded-${v.supersededBy}"`,
        );
      },
    );
}
