import { orThrow, throwRefusal, type Principal } from '@honglian/service-kit';
import { closedFor } from '../domain/activities.js';
import { decideScan, scanningMember, type AttendanceSource, type Location } from '../domain/sessions.js';
import { actorOf, type CheckinContext } from './context.js';
import type { References } from './references.js';

/** A scan by the member, or a staff member acting as witness for someone without a phone. */
export type AttendanceInput =
  | { token: string; location?: Location | undefined }
  | { activityId: string; memberId: string; note?: string | undefined };

/**
 * Works out who and where an attendance is for, refusing anything that does
 * not hold: a QR scan (the member themself, a valid token of an open
 * activity, inside its geofence) or a witness (staff managing the activity,
 * naming a member its community sees).
 */
export class AttendanceSources {
  constructor(
    private readonly ctx: CheckinContext,
    private readonly refs: References,
  ) {}

  async resolve(
    input: AttendanceInput,
    principal: Principal,
    forCheckout: boolean,
  ): Promise<{ now: Date; source: AttendanceSource }> {
    const now = this.ctx.clock.now();
    if ('token' in input) {
      const memberId = orThrow(scanningMember(principal)).changes;
      const activity = await this.refs.scannedActivity(input.token);
      const location = input.location ?? null;
      const { tokenId } = orThrow(
        decideScan({ token: input.token, location, forCheckout }, activity, {
          secret: this.ctx.qrSecret,
          now,
          rules: this.ctx.rules,
        }),
      ).changes;
      return { now, source: { activity, memberId, method: 'qr', witness: null, tokenId, location } };
    }
    const activity = await this.refs.activity(principal, input.activityId, {
      manageOnly: true,
      named: 'body',
    });
    const closed = closedFor(activity, now, this.ctx.rules, forCheckout);
    if (closed) throwRefusal(closed);
    await this.refs.witnessed(principal, input.memberId, activity, forCheckout);
    const source: AttendanceSource = {
      activity,
      memberId: input.memberId,
      method: 'witnessed',
      witness: actorOf(principal),
      tokenId: null,
      location: null,
    };
    return { now, source };
  }
}
