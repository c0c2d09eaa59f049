import { Readable } from 'node:stream';
import type { Principal } from '@honglian/service-kit';
import { stringify } from 'csv-stringify/sync';
import { creditCodeCheckChar, idNumberCheckChar } from '../domain/identifiers.js';
import type { ImportReport, ImportService } from '../app/imports.js';
import type { ImportKind } from '../imports/index.js';

/**
 * The demo city `honglian start` seeds on an empty database (DOMAIN.md §1):
 * per county a few streets, communities, grids, compounds and buildings, the
 * party organisations attached to them, firms with contracts, agency units
 * with pairings, a red-property alliance (红色物业联盟) per county, and
 * party members with fictitious but well-formed ID numbers. The ids the demo
 * users' tokens carry (org paths, firm_id, member_id) are given by the caller
 * so both always agree.
 */
export interface DemoCityInput {
  city: { orgId: string; name: string };
  counties: readonly {
    code: string;
    name: string;
    street: { orgId: string; name: string };
    community: { orgId: string; name: string };
    compound: { orgId: string; name: string };
    firm: { firmId: string; name: string };
    member: { memberId: string; name: string };
  }[];
}

type Row = Record<string, string>;
export type DemoCityFiles = Record<ImportKind, Row[]>;

const SINCE = '2024-01-01';

/** A credit code with a valid GB 32100 check character: 91 + county + a serial. */
function creditCode(county: string, serial: number): string {
  const first17 = `91${county}MA${String(serial).padStart(7, '0')}`.slice(0, 17);
  return first17 + creditCodeCheckChar(first17);
}

/** An ID number with a valid GB 11643 check digit, registered in `county`. */
function idNumber(county: string, birth: string, serial: number): string {
  const first17 = `${county}${birth}${String(serial).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
}

/** The rows of each import file, in the order they must be imported. */
export function demoCityFiles(input: DemoCityInput): DemoCityFiles {
  const files: DemoCityFiles = { orgs: [], firms: [], contracts: [], pairings: [], members: [] };
  const org = (id: string, name: string, kind: string, parent: string, extra: Row = {}) =>
    files.orgs.push({
      编码: id,
      名称: name,
      类型: kind,
      上级编码: parent,
      所属区县: '',
      统一社会信用代码: '',
      生效日期: SINCE,
      任期开始: '',
      任期结束: '',
      ...extra,
    });
  org(input.city.orgId, input.city.name, '市', '');
  input.counties.forEach((c, ci) => {
    const { code } = c;
    org(code, c.name, '区县', input.city.orgId, { 所属区县: code });
    const street2 = `${code}-street-02`;
    const community2 = `${code}-community-02`;
    const community3 = `${code}-community-03`;
    const grid = `${c.community.orgId}-grid-01`;
    org(c.street.orgId, c.street.name, '街道', code);
    org(`${c.street.orgId}-dgw`, `${c.street.name}大工委`, '街道大工委', c.street.orgId);
    org(street2, `${c.name}东城街道`, '街道', code);
    org(c.community.orgId, c.community.name, '社区', c.street.orgId);
    org(community2, `${c.name}和合社区`, '社区', c.street.orgId);
    org(community3, `${c.name}东门社区`, '社区', street2);
    for (const id of [c.community.orgId, community2, community3])
      org(`${id}-ddw`, '社区大党委', '社区大党委', id);
    org(grid, '第一网格', '网格', c.community.orgId);
    org(`${grid}-branch`, '第一网格党支部', '网格党支部', grid);
    // The demo compound sits directly under its community: the demo users' org paths say so.
    const compounds = [
      { id: c.compound.orgId, name: c.compound.name, parent: c.community.orgId },
      { id: `${code}-compound-02`, name: `${c.name}锦绣苑`, parent: grid },
      { id: `${code}-compound-03`, name: `${c.name}和合家园`, parent: community2 },
      { id: `${code}-compound-04`, name: `${c.name}东门新村`, parent: community3 },
    ];
    for (const x of compounds) {
      org(x.id, x.name, '小区', x.parent);
      for (const b of ['01', '02']) org(`${x.id}-b${b}`, `${Number(b)}幢`, '楼栋', x.id);
    }
    org(`${c.compound.orgId}-branch`, `${c.compound.name}党支部`, '小区党支部', c.compound.orgId);
    org(`${c.compound.orgId}-ywh`, `${c.compound.name}业主委员会`, '业主委员会', c.compound.orgId, {
      任期开始: SINCE,
      任期结束: '2028-12-31',
    });
    const alliance = demoAllianceOf(code, c.street.orgId);
    org(alliance.allianceId, `${c.street.name}红色物业联盟`, '红色物业联盟', c.street.orgId);
    org(`${code}-agency-01`, `${c.name}市场监督管理局`, '机关企事业单位', code, {
      统一社会信用代码: creditCode(code, 100 + ci),
    });
    org(`${code}-agency-01-dw`, `${c.name}市场监督管理局机关党委`, '单位党组织', `${code}-agency-01`);
    // An agency unit without a pairing: a gap the coverage report shows.
    org(`${code}-agency-02`, `${c.name}人民医院`, '机关企事业单位', code, {
      统一社会信用代码: creditCode(code, 200 + ci),
    });
    org(`${code}-agency-02-dw`, `${c.name}人民医院党委`, '单位党组织', `${code}-agency-02`);

    const firm2 = `${code}-firm-02`;
    for (const [i, f] of [
      [1, { id: c.firm.firmId, name: c.firm.name }],
      [2, { id: firm2, name: `${c.name}安居物业管理有限公司` }],
    ] as const) {
      files.firms.push({
        编码: f.id,
        企业名称: f.name,
        统一社会信用代码: creditCode(code, i + 10 * (ci + 1)),
        所属区县: code,
        生效日期: SINCE,
      });
    }
    // compound-04 has no firm: another coverage gap.
    const contract = (n: number, firm: string, compound: string) =>
      files.contracts.push({
        合同编号: `${code}-HT-${n}`,
        物业企业编码: firm,
        小区编码: compound,
        开始日期: SINCE,
        结束日期: '2027-01-01',
      });
    contract(1, c.firm.firmId, c.compound.orgId);
    contract(2, firm2, `${code}-compound-02`);
    contract(3, firm2, `${code}-compound-03`);

    files.pairings.push({
      结对编号: `${code}-JD-1`,
      单位党组织编码: `${code}-agency-01-dw`,
      结对社区或小区编码: community2,
      需求清单: '加装电梯；停车位改造',
      资源清单: '法律咨询；食品安全宣传',
      项目清单: '楼道微改造',
      开始日期: '2025-01-01',
      结束日期: '',
    });

    const member = (
      id: string,
      name: string,
      serial: number,
      category: string,
      party: string,
      workUnit: string,
      compound: string,
    ) =>
      files.members.push({
        党员编号: id,
        姓名: name,
        身份证号: idNumber(code, `19${70 + serial}0${(serial % 9) + 1}15`, serial),
        手机号: `139${code.slice(-2)}${String(1000 + serial).padStart(6, '0')}`,
        党员类别: category,
        所属党组织编码: party,
        工作单位编码: workUnit,
        居住小区编码: compound,
        居住楼栋编码: compound ? `${compound}-b01` : '',
        生效日期: SINCE,
      });
    // The demo member: lives in the demo compound, works for agency-01, which is paired with community-02.
    member(
      c.member.memberId,
      c.member.name,
      1,
      '在职党员',
      `${code}-agency-01-dw`,
      `${code}-agency-01`,
      c.compound.orgId,
    );
    member(
      `${code}-member-02`,
      `${c.name}王芳`,
      2,
      '在职党员',
      `${code}-agency-01-dw`,
      `${code}-agency-01`,
      `${code}-compound-03`,
    );
    member(
      `${code}-member-03`,
      `${c.name}李建国`,
      3,
      '退休党员',
      `${c.community.orgId}-ddw`,
      '',
      c.compound.orgId,
    );
    member(
      `${code}-member-04`,
      `${c.name}陈晓`,
      4,
      '在职党员',
      `${code}-agency-02-dw`,
      `${code}-agency-02`,
      `${code}-compound-02`,
    );
    member(
      `${code}-member-05`,
      `${c.name}赵敏`,
      5,
      '流动党员',
      `${community3}-ddw`,
      '',
      `${code}-compound-04`,
    );
  });
  return files;
}

/**
 * The red-property alliance (红色物业联盟) of a county's first street and its member organisations:
 * the street's two community party committees and the paired agency's party committee.
 */
function demoAllianceOf(code: string, streetId: string): { allianceId: string; memberOrgIds: string[] } {
  return {
    allianceId: `${streetId}-alliance-01`,
    memberOrgIds: [`${code}-community-01-ddw`, `${code}-community-02-ddw`, `${code}-agency-01-dw`],
  };
}

/** Records an alliance membership through the registry's use case (not an import kind). */
export type JoinAlliance = (
  allianceId: string,
  memberOrgId: string,
  period: { validFrom: string; validTo: string | null },
  principal: Principal,
) => Promise<unknown>;

/** The principal the seed runs as: the city level, recorded as the demo seed. */
const SEEDER: Principal = { subject: 'system:demo-seed', roles: ['city-admin'] };

/**
 * Seeds the demo city through the import path, file by file, then the
 * alliances' memberships through `joinAlliance`; does nothing when the
 * registry already holds organisations (a restart, or a real city).
 */
export async function seedDemoCity(
  imports: ImportService,
  hasOrganisations: () => Promise<boolean>,
  input: DemoCityInput,
  joinAlliance?: JoinAlliance,
): Promise<ImportReport[] | null> {
  if (await hasOrganisations()) return null;
  const files = demoCityFiles(input);
  const reports: ImportReport[] = [];
  for (const kind of ['orgs', 'firms', 'contracts', 'pairings', 'members'] as const) {
    const csv = stringify(files[kind], { header: true, bom: true });
    const upload = await imports.spool(Readable.from([Buffer.from(csv)]), Number.MAX_SAFE_INTEGER);
    try {
      const report = await imports.run(kind, upload, 'csv', false, SEEDER);
      if (report.status !== 'applied') {
        throw new Error(`demo ${kind} did not import: ${JSON.stringify(report.errors.slice(0, 3))}`);
      }
      reports.push(report);
    } finally {
      await upload.cleanup();
    }
  }
  if (joinAlliance)
    for (const c of input.counties) {
      const { allianceId, memberOrgIds } = demoAllianceOf(c.code, c.street.orgId);
      for (const memberOrgId of memberOrgIds)
        await joinAlliance(allianceId, memberOrgId, { validFrom: SINCE, validTo: null }, SEEDER);
    }
  return reports;
}
