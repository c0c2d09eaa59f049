import { API_ROUTES } from '@honglian/gateway';
import * as orgRegistry from '@honglian/org-registry';
import * as memberCheckin from '@honglian/member-checkin';
import * as volunteerPoints from '@honglian/volunteer-points';
import * as propertyEvaluation from '@honglian/property-evaluation';
import * as assessment from '@honglian/assessment';

it('routes every service’s prefix to it through the gateway', () => {
  const services = [orgRegistry, memberCheckin, volunteerPoints, propertyEvaluation, assessment];
  const fromServices = Object.fromEntries(
    services.map((s) => [s.SERVICE.prefix.replace(/^\/api\/v1\//, ''), s.SERVICE.name]),
  );
  expect(API_ROUTES).toEqual(fromServices);
});
