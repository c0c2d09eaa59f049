import { API_ROUTES, routeOf } from '../src/routing.js';

describe('routeOf', () => {
  it('routes by the run-alone table by default', () => {
    expect(routeOf('/api/v1/registry/orgs/331000')).toEqual({ prefix: 'registry', service: 'org-registry' });
    expect(routeOf('/api/v1/checkin')).toEqual({ prefix: 'checkin', service: 'member-checkin' });
    expect(routeOf('/api/v1/nowhere/x')).toBeUndefined();
    expect(routeOf('/healthz')).toBeUndefined();
    expect(Object.keys(API_ROUTES)).toContain('registry');
  });

  it('routes by the table it is given (the suite’s, from its modules)', () => {
    const routes = { notes: 'toy-notes' };
    expect(routeOf('/api/v1/notes/n-1?x=1', routes)).toEqual({ prefix: 'notes', service: 'toy-notes' });
    expect(routeOf('/api/v1/registry/orgs', routes)).toBeUndefined();
    // Only the table's own keys: nothing inherited from Object.prototype.
    expect(routeOf('/api/v1/constructor', routes)).toBeUndefined();
  });
});
