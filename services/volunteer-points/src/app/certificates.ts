import { randomBytes } from 'node:crypto';
import { orThrow, throwRefusal, type Principal } from '@honglian/service-kit';
import { refuse } from '@honglian/service-kit/domain';
import { emitAll, withOutbox } from '@honglian/messaging';
import type { PageRequest } from '../data/page.js';
import { decideCertificate, decideIssue, type Certificate } from '../domain/certificates.js';
import { yearOf } from '../domain/rules.js';
import { actorOf, newId, type PointsContext } from './context.js';
import type { References } from './references.js';

/** What the public check answers: what the certificate states, no ID number, no phone. */
export interface PublicCertificate {
  number: string;
  memberName: string;
  issuer: string;
  hours: number;
  periodFrom: string;
  periodTo: string;
  status: 'notice' | 'issued';
  noticeUntil: Date;
  issuedAt: Date | null;
}

/** Certificates: drawn up (7-day public notice), issued, checked by anyone with the code. */
export class CertificateService {
  constructor(
    private readonly ctx: PointsContext,
    private readonly refs: References,
  ) {}

  private get store() {
    return this.ctx.data.orders;
  }

  async create(
    cmd: { memberId: string; from: string; to: string; issuer?: string | undefined },
    principal: Principal,
  ) {
    const member = await this.refs.member(principal, cmd.memberId, { named: 'body', manageOnly: true });
    const hours = await this.ctx.data.records.approvedHours(cmd.memberId, cmd.from, cmd.to);
    const now = this.ctx.clock.now();
    const issuerOrg = principal.orgPath
      ? await this.ctx.data.readModel.org(principal.orgPath.split('/').at(-1)!)
      : null;
    return withOutbox(this.ctx.conn, async (session) => {
      const n = await this.ctx.data.records.next(`cert-${member.county}-${yearOf(now)}`, session);
      const { changes } = orThrow(
        decideCertificate({
          _id: newId('crt'),
          county: member.county,
          memberId: member.memberId,
          memberName: member.name ?? member.memberId,
          communityPath: member.communityPath,
          number: `HL-${member.county}-${yearOf(now)}-${String(n).padStart(5, '0')}`,
          issuer: cmd.issuer ?? issuerOrg?.name ?? actorOf(principal),
          periodFrom: cmd.from,
          periodTo: cmd.to,
          hours,
          code: randomBytes(9).toString('base64url'),
          createdBy: actorOf(principal),
          now,
          noticeDays: this.ctx.settings.noticeDays,
        }),
      );
      await this.store.insertCertificate(changes.certificate, session);
      return changes.certificate;
    });
  }

  /** Issues it once the public notice has run its course. */
  async issue(id: string, principal: Principal): Promise<Certificate> {
    await this.refs.certificate(principal, id, { manageOnly: true });
    const now = this.ctx.clock.now();
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const cert = (await this.store.certificate(id, session))!;
      const { changes, events } = orThrow(decideIssue(cert, now));
      if (!(await this.store.issueCertificate(id, changes.set, session)))
        throwRefusal(refuse.conflict('证明已出具', 'the certificate is already issued'));
      emitAll(outbox, events, { time: now });
      return { ...cert, ...changes.set };
    });
  }

  get(id: string, principal: Principal) {
    return this.refs.certificate(principal, id);
  }

  list(principal: Principal, q: PageRequest) {
    return this.store.certificates(principal, q);
  }

  /** The public check (no token): only what the certificate states. */
  async verify(code: string): Promise<PublicCertificate> {
    const c = await this.store.certificateByCode(code);
    if (!c) throwRefusal(refuse.notFound('无此证明', 'no certificate with this code'));
    return {
      number: c!.number,
      memberName: c!.memberName,
      issuer: c!.issuer,
      hours: c!.hours,
      periodFrom: c!.periodFrom,
      periodTo: c!.periodTo,
      status: c!.status,
      noticeUntil: c!.noticeUntil,
      issuedAt: c!.issuedAt,
    };
  }
}
