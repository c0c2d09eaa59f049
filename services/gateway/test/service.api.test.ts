import { describeServiceBasics, testContext } from '@honglian/testkit';
import { missingToken, type Authenticator } from '@honglian/service-kit';
import { SERVICE, createService } from '../src/index.js';

const refuseAll: Authenticator = {
  async authenticate(): Promise<never> {
    throw missingToken();
  },
};

describeServiceBasics(SERVICE, (ctx) => createService({ ...ctx, auth: refuseAll }));

it('refuses to build a gateway without an authenticator', () => {
  expect(() => createService(testContext())).toThrow(/authenticator/);
});
