import type { Connection } from 'mongoose';
import type { Clock, Logger, Principal } from '@honglian/service-kit';
import type { AssessmentData } from '../data/index.js';

/** What the assessment use cases share. */
export interface AssessmentContext {
  conn: Connection;
  data: AssessmentData;
  clock: Clock;
  logger: Logger;
}

/** Who did it. */
export function actorOf(principal: Principal): string {
  return principal.username ?? principal.subject;
}
