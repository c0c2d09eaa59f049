import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { Role } from '@honglian/contracts';
import type { RouteResult } from '@honglian/service-kit';
import { canonicalJson } from '../domain/results.js';

export const ADMINS: readonly Role[] = ['city-admin', 'county-admin'];
/** Everyone who takes part in a cycle: admins, raters, the firms. */
export const PARTICIPANTS: readonly Role[] = [
  'city-admin',
  'county-admin',
  'community-staff',
  'compound-committee',
  'property-firm',
];
/** Published results are public: participants and outside systems (client credentials). */
export const PUBLISHED_READERS: readonly Role[] = [...PARTICIPANTS, 'api-consumer'];

export const refusal = { description: 'Refused: the reason in zh-CN and English (`reason`)' };
export const notFound = { description: 'Not found, or outside your scope (never told apart)' };
export const notModified = { description: 'Not modified: the ETag given in If-None-Match still holds' };

/** A strong ETag of a JSON body (its canonical form). */
export function etagOf(body: unknown): string {
  return `"${createHash('sha256').update(canonicalJson(body)).digest('hex')}"`;
}

/** Answers 304 when If-None-Match names the ETag, else the body with its ETag. */
export function withEtag(req: Request, body: unknown, etag = etagOf(body)): RouteResult {
  const asked = req.headers['if-none-match'];
  const tags = typeof asked === 'string' ? asked.split(',').map((t) => t.trim().replace(/^W\//, '')) : [];
  if (tags.includes(etag) || tags.includes('*')) return { status: 304, headers: { etag } };
  return { body, headers: { etag, 'cache-control': 'no-cache' } };
}
