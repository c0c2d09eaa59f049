// `@honglian/service-kit/domain`: what a service's pure `domain/` code may import from the kit.
// No express, mongoose, bus or logger here (the lint rules of eslint.config.js keep it so):
// refusals and decisions, the injected clock, path rules, and the contracts' reason and drafts.
export {
  REFUSAL_KINDS,
  NOT_FOUND_REASON,
  refuse,
  isRefusal,
  accept,
  type Accepted,
  type Decision,
  type Refusal,
  type RefusalArgs,
  type RefusalKind,
  type RefusalOptions,
} from './refusal.js';
export { escapeRegex, isWithinOrgPath, orgSubtreePattern } from './paths.js';
export { FixedClock, systemClock, type Clock } from '../clock.js';
export type { Principal } from '../auth/principal.js';
export { reason, draftEvent, type Reason, type EventDraft } from '@honglian/contracts';
