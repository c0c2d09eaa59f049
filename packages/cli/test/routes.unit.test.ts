import { readFileSync } from 'node:fs';
import path from 'node:path';
import { API_ROUTES, GatewayConfigSchema } from '@honglian/gateway';
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

it('routes every module’s prefix to it: the suite’s table, the deployment’s API_ROUTES and the gateway’s default agree', () => {
  const fromModules = apiRoutesOf(MODULES);
  expect(fromModules).toEqual({
    registry: 'org-registry',
    checkin: 'member-checkin',
    points: 'volunteer-points',
    evaluation: 'property-evaluation',
    assessment: 'assessment',
  });
  // The gateway run alone routes by configuration (a new service needs no gateway change).
  const compose = readFileSync(path.join(__dirname, '..', '..', '..', 'docker-compose.yml'), 'utf8');
  const env = (name: string) => new RegExp(`^\\s+${name}: (.+)$`, 'm').exec(compose)![1]!;
  const config = GatewayConfigSchema.parse({
    API_ROUTES: env('API_ROUTES'),
    SERVICE_URLS: env('SERVICE_URLS'),
  });
  expect(config.API_ROUTES).toEqual(fromModules);
  expect(Object.keys(config.SERVICE_URLS!).sort()).toEqual(Object.values(fromModules).sort());
  // The built-in default (a gateway started without API_ROUTES) never contradicts the modules;
  // it may lack a newer service, which the deployment's API_ROUTES routes.
  for (const [prefix, service] of Object.entries(API_ROUTES)) expect(fromModules[prefix]).toBe(service);
});
