import { API_ROUTES } from '@honglian/gateway';
import { apiRoutesOf } from '@honglian/service-kit';
import * as orgRegistry from '@honglian/org-registry';
import * as memberCheckin from '@honglian/member-checkin';
import * as volunteerPoints from '@honglian/volunteer-points';
import * as propertyEvaluation from '@honglian/property-evaluation';
import * as assessment from '@honglian/assessment';
import { MODULES } from '../src/suite.js';

it('lists every service’s module in the suite', () => {
  const services = [orgRegistry, memberCheckin, volunteerPoints, propertyEvaluation, assessment];
  expect(MODULES.map((m) => m.name)).toEqual(services.map((s) => s.SERVICE.name));
  expect(MODULES.map((m) => m.prefix)).toEqual(services.map((s) => s.SERVICE.prefix));
});

it('routes every module’s prefix to it: the suite’s table and the gateway’s run-alone default agree', () => {
  const fromModules = apiRoutesOf(MODULES);
  expect(fromModules).toEqual({
    registry: 'org-registry',
    checkin: 'member-checkin',
    points: 'volunteer-points',
    evaluation: 'property-evaluation',
    assessment: 'assessment',
  });
  expect(API_ROUTES).toEqual(fromModules);
});
