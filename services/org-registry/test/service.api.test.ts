import { describeModuleBasics } from '@honglian/testkit';
import { orgRegistryModule } from '../src/index.js';
import { PII_KEY } from './support.js';

describeModuleBasics(orgRegistryModule, { settings: { piiKey: PII_KEY } });
