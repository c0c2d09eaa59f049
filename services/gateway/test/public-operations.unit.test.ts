import { isPublicOperation, publicOperations } from '../src/public-operations.js';

const doc = {
  security: [{ bearerAuth: [] }],
  paths: {
    '/api/v1/points/verify/{code}': { get: { security: [] }, post: { security: [{ bearerAuth: [] }] } },
    '/api/v1/points/certificates/{id}': { get: { security: [{ bearerAuth: [] }] } },
    '/api/v1/points/ledger': { get: {} },
    '/healthz': { get: { security: [] } },
  },
};

describe('public operations, read from the services’ OpenAPI documents', () => {
  const ops = publicOperations(doc);

  it('lets through only operations documented with no security, by method and whole path', () => {
    expect(isPublicOperation(ops, 'GET', '/api/v1/points/verify/ABC123')).toBe(true);
    expect(isPublicOperation(ops, 'HEAD', '/api/v1/points/verify/ABC123')).toBe(true);
    expect(isPublicOperation(ops, 'POST', '/api/v1/points/verify/ABC123')).toBe(false);
    expect(isPublicOperation(ops, 'GET', '/api/v1/points/verify/ABC/extra')).toBe(false);
    expect(isPublicOperation(ops, 'GET', '/api/v1/points/verify/')).toBe(false);
    expect(isPublicOperation(ops, 'GET', '/api/v1/points/certificates/c-1')).toBe(false);
    // Without a `security` of its own an operation falls under the document's bearer default.
    expect(isPublicOperation(ops, 'GET', '/api/v1/points/ledger')).toBe(false);
    expect(isPublicOperation(ops, 'GET', '/healthz')).toBe(false);
  });

  it('matches path templates literally apart from their parameters', () => {
    const dotted = publicOperations({ paths: { '/api/v1/x/a.b/{id}': { get: { security: [] } } } });
    expect(isPublicOperation(dotted, 'GET', '/api/v1/x/a.b/1')).toBe(true);
    expect(isPublicOperation(dotted, 'GET', '/api/v1/x/aXb/1')).toBe(false);
  });
});
