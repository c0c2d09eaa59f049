import { accept, draftEvent, refuse, type Decision } from '@honglian/service-kit/domain';
import { CertificateIssued } from '@honglian/contracts';

/**
 * A service certificate (志愿服务证明): for a member over a period, with a
 * number, the issuer and the hours of the approved records in it. It is
 * publicly posted for `noticeDays` (≥ 7, public rule) before it may be
 * issued. The public check by verification code answers only what the
 * certificate states.
 */
export interface Certificate {
  _id: string;
  county: string;
  memberId: string;
  memberName: string;
  communityPath: string | null;
  number: string;
  issuer: string;
  periodFrom: string;
  periodTo: string;
  hours: number;
  status: 'notice' | 'issued';
  noticeFrom: Date;
  noticeUntil: Date;
  issuedAt: Date | null;
  code: string;
  createdBy: string;
}

export function decideCertificate(
  cmd: Omit<Certificate, 'status' | 'noticeFrom' | 'noticeUntil' | 'issuedAt'> & {
    now: Date;
    noticeDays: number;
  },
): Decision<{ certificate: Certificate }> {
  if (cmd.periodFrom > cmd.periodTo)
    return refuse.invalid('起始日期晚于结束日期', 'the period starts after it ends', { field: 'from' });
  if (cmd.hours <= 0)
    return refuse.invalid('该期间没有已审核的服务时长', 'no approved hours of service in the period', {
      field: 'from',
    });
  const { now, noticeDays, ...rest } = cmd;
  return accept({
    certificate: {
      ...rest,
      status: 'notice',
      noticeFrom: now,
      noticeUntil: new Date(now.getTime() + noticeDays * 86_400_000),
      issuedAt: null,
    },
  });
}

export function decideIssue(cert: Certificate, now: Date): Decision<{ set: Partial<Certificate> }> {
  if (cert.status === 'issued') return refuse.conflict('证明已出具', 'the certificate is already issued');
  if (now < cert.noticeUntil)
    return refuse.conflict('公示期未满', 'the public notice period has not ended', {
      extras: { noticeUntil: cert.noticeUntil.toISOString() },
    });
  return accept({ set: { status: 'issued', issuedAt: now } }, [
    draftEvent(CertificateIssued, {
      subject: cert._id,
      county: cert.county,
      data: {
        certificateId: cert._id,
        number: cert.number,
        county: cert.county,
        memberId: cert.memberId,
        issuer: cert.issuer,
        hours: cert.hours,
        periodFrom: cert.periodFrom,
        periodTo: cert.periodTo,
        issuedAt: now.toISOString(),
      },
    }),
  ]);
}
