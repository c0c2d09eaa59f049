import { accept, refuse, type Decision } from '@honglian/service-kit/domain';

/**
 * A service record (志愿服务记录, 民政部令第67号): whoever organises records,
 * whoever records certifies. It holds the person, the service (content,
 * date, hours), the organiser, training and evaluation. From attendance it
 * is approved unless the rules need approval; one an organiser enters for
 * service outside an activity waits until the recording community approves.
 */
export type RecordStatus = 'pending' | 'approved' | 'rejected';
export type RecordSource = 'attendance' | 'manual' | 'order';

export interface ServiceRecord {
  _id: string;
  county: string;
  memberId: string;
  memberName: string | null;
  communityId: string;
  communityPath: string;
  content: string;
  /** Local day of the service, `YYYY-MM-DD`. */
  date: string;
  hours: number;
  organiserId: string;
  organiserName: string;
  training: string | null;
  evaluation: string | null;
  teamId: string | null;
  source: RecordSource;
  /** The attendance or order it came from. */
  sourceId: string | null;
  status: RecordStatus;
  recordedBy: string;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
  createdAt: Date;
}

export const RECORD_NOT_PENDING = (status: RecordStatus) =>
  refuse.conflict(`记录已${status === 'approved' ? '审核通过' : '退回'}`, `the record is already ${status}`, {
    extras: { recordStatus: status },
  });

/** A record an organiser enters by hand: pending, dated no later than today. */
export function decideManualRecord(
  record: Omit<ServiceRecord, 'status' | 'decidedBy' | 'decidedAt' | 'decisionNote' | 'source' | 'sourceId'>,
  today: string,
): Decision<{ record: ServiceRecord }> {
  if (record.date > today)
    return refuse.invalid('服务日期不能晚于今天', 'the date of service cannot be in the future', {
      field: 'date',
    });
  if (record.hours <= 0 || record.hours > 24)
    return refuse.invalid('服务时长须在 0–24 小时之间', 'hours must be more than 0 and at most 24', {
      field: 'hours',
    });
  return accept({
    record: {
      ...record,
      source: 'manual',
      sourceId: null,
      status: 'pending',
      decidedBy: null,
      decidedAt: null,
      decisionNote: null,
    },
  });
}

/** The recording community approves (the record then earns) or rejects a pending record. */
export function decideRecordReview(
  record: ServiceRecord,
  cmd: { approve: boolean; by: string; at: Date; note: string | null },
): Decision<{ set: Partial<ServiceRecord> }> {
  if (record.status !== 'pending') return RECORD_NOT_PENDING(record.status);
  return accept({
    set: {
      status: cmd.approve ? 'approved' : 'rejected',
      decidedBy: cmd.by,
      decidedAt: cmd.at,
      decisionNote: cmd.note,
    },
  });
}
