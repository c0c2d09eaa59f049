import ExcelJS from 'exceljs';
import { IMPORT_TEMPLATES, type ImportKind } from '../imports/index.js';
import { creditCodeCheckChar, idNumberCheckChar } from '../domain/identifiers.js';

/**
 * A synthetic city of a given size for acceptance tests and benchmarks:
 * counties ─ streets ─ communities ─ grids ─ compounds ─ buildings, with
 * party organisations, owners' committees, firms and contracts, agency units
 * with pairings, and members. Some units deliberately lack a branch, a
 * committee or a firm, so the coverage report has gaps to find; `expected`
 * says how many.
 */
export interface FixtureCityShape {
  counties: readonly string[];
  streetsPerCounty: number;
  communitiesPerCounty: number;
  gridsPerCommunity: number;
  compoundsPerCommunity: number;
  buildingsPerCompound: number;
  members: number;
}

/** The acceptance fixture: 2 counties, 4 streets, 10 communities, 40 grids, 100 compounds, 2,000 members. */
export const ACCEPTANCE_CITY: FixtureCityShape = {
  counties: ['331003', '331002'],
  streetsPerCounty: 2,
  communitiesPerCounty: 5,
  gridsPerCommunity: 4,
  compoundsPerCommunity: 10,
  buildingsPerCompound: 2,
  members: 2000,
};

type Row = Record<string, string>;

export interface FixtureCity {
  files: Record<ImportKind, Row[]>;
  /** What the coverage report of the whole city must say. */
  expected: {
    counts: Record<string, number>;
    gaps: Record<string, number>;
  };
}

const SINCE = '2024-01-01';

export function fixtureCity(shape: FixtureCityShape = ACCEPTANCE_CITY): FixtureCity {
  const files: Record<ImportKind, Row[]> = { orgs: [], firms: [], contracts: [], pairings: [], members: [] };
  const counts: Record<string, number> = {};
  const org = (id: string, name: string, kind: keyof typeof KIND_LABEL, parent: string, county = '') => {
    counts[kind] = (counts[kind] ?? 0) + 1;
    files.orgs.push({
      编码: id,
      名称: name,
      类型: KIND_LABEL[kind],
      上级编码: parent,
      所属区县: county,
      生效日期: SINCE,
    });
  };
  const gaps = {
    compoundsWithoutPartyBranch: 0,
    compoundsWithoutOwnersCommittee: 0,
    compoundsWithoutFirm: 0,
    buildingsWithoutLeader: 0,
    gridsWithoutPartyBranch: 0,
    agencyUnitsWithoutPairing: 0,
  };
  org('331000', '台州市', 'city', '', '331000');
  const residences: { compound: string; building: string; party: string; county: string }[] = [];
  const agencies: { unit: string; party: string; county: string }[] = [];
  shape.counties.forEach((county, ci) => {
    org(county, `区县${county}`, 'county', '331000', county);
    const streets = Array.from({ length: shape.streetsPerCounty }, (_, i) => `${county}-s${i + 1}`);
    streets.forEach((s, i) => org(s, `第${i + 1}街道`, 'street', county));
    const firms = [1, 2, 3].map((n) => `${county}-firm-${n}`);
    firms.forEach((f, n) => {
      const first17 = `91${county}MA${String(ci * 10 + n).padStart(7, '0')}`;
      files.firms.push({
        编码: f,
        企业名称: `${county}第${n + 1}物业服务有限公司`,
        统一社会信用代码: first17 + creditCodeCheckChar(first17),
        所属区县: county,
        生效日期: SINCE,
      });
    });
    counts['property-firm'] = (counts['property-firm'] ?? 0) + firms.length;
    for (const n of [1, 2]) {
      const unit = `${county}-agency-${n}`;
      org(unit, `${county}第${n}机关`, 'agency-unit', county);
      org(`${unit}-dw`, `${county}第${n}机关党委`, 'agency-party-organisation', unit);
      agencies.push({ unit, party: `${unit}-dw`, county });
    }
    for (let c = 0; c < shape.communitiesPerCounty; c++) {
      const community = `${county}-c${c + 1}`;
      org(community, `第${c + 1}社区`, 'community', streets[c % streets.length]!);
      const ddw = `${community}-ddw`;
      org(ddw, `第${c + 1}社区大党委`, 'community-party-committee', community);
      const grids = Array.from({ length: shape.gridsPerCommunity }, (_, g) => `${community}-g${g + 1}`);
      grids.forEach((g, gi) => {
        org(g, `第${gi + 1}网格`, 'grid', community);
        // Every fourth grid has no party branch.
        if (gi % 4 === 3) gaps.gridsWithoutPartyBranch++;
        else org(`${g}-branch`, `第${gi + 1}网格党支部`, 'grid-party-branch', g);
      });
      for (let k = 0; k < shape.compoundsPerCommunity; k++) {
        const compound = `${community}-x${k + 1}`;
        org(compound, `第${c + 1}社区${k + 1}号小区`, 'compound', grids[k % grids.length]!);
        let party = ddw;
        // Every fifth compound lacks a branch; every fifth (offset) an owners' committee; every tenth a firm.
        if (k % 5 === 4) gaps.compoundsWithoutPartyBranch++;
        else {
          party = `${compound}-branch`;
          org(party, `${k + 1}号小区党支部`, 'compound-party-branch', compound);
        }
        if (k % 5 === 1 || k % 5 === 3) gaps.compoundsWithoutOwnersCommittee++;
        else org(`${compound}-ywh`, `${k + 1}号小区业主委员会`, 'owners-committee', compound);
        if (k % 10 === 9) gaps.compoundsWithoutFirm++;
        else {
          files.contracts.push({
            合同编号: `${compound}-ht`,
            物业企业编码: firms[k % firms.length]!,
            小区编码: compound,
            开始日期: SINCE,
            结束日期: '',
          });
        }
        for (let b = 0; b < shape.buildingsPerCompound; b++) {
          const building = `${compound}-b${b + 1}`;
          org(building, `${b + 1}幢`, 'building', compound);
          gaps.buildingsWithoutLeader++;
          residences.push({ compound, building, party, county });
        }
      }
    }
  });
  // The first agency unit of each county is paired with its first community; the second is a gap.
  for (const a of agencies) {
    if (a.unit.endsWith('-agency-1')) {
      files.pairings.push({
        结对编号: `${a.unit}-jd`,
        单位党组织编码: a.party,
        结对社区或小区编码: `${a.county}-c1`,
        需求清单: '加装电梯；停车位改造',
        资源清单: '法律咨询',
        项目清单: '楼道微改造',
        开始日期: SINCE,
        结束日期: '',
      });
    } else gaps.agencyUnitsWithoutPairing++;
  }
  for (let i = 0; i < shape.members; i++) {
    const home = residences[i % residences.length]!;
    const agency = agencies.filter((a) => a.county === home.county)[i % 2]!;
    const inService = i % 3 === 0;
    const day = 1 + (Math.floor(i / 1000) % 28);
    const first17 = `${home.county}1975${String(1 + (Math.floor(i / 28000) % 12)).padStart(2, '0')}${String(day).padStart(2, '0')}${String(i % 1000).padStart(3, '0')}`;
    files.members.push({
      党员编号: `m-${String(i + 1).padStart(6, '0')}`,
      姓名: `党员${i + 1}`,
      身份证号: first17 + idNumberCheckChar(first17),
      手机号: `139${String(i).padStart(8, '0')}`,
      党员类别: inService ? '在职党员' : i % 3 === 1 ? '退休党员' : '流动党员',
      所属党组织编码: inService ? agency.party : home.party,
      工作单位编码: inService ? agency.unit : '',
      居住小区编码: home.compound,
      居住楼栋编码: home.building,
      生效日期: SINCE,
    });
  }
  return { files, expected: { counts, gaps } };
}

const KIND_LABEL = {
  city: '市',
  county: '区县',
  street: '街道',
  community: '社区',
  grid: '网格',
  compound: '小区',
  building: '楼栋',
  'community-party-committee': '社区大党委',
  'grid-party-branch': '网格党支部',
  'compound-party-branch': '小区党支部',
  'owners-committee': '业主委员会',
  'agency-unit': '机关企事业单位',
  'agency-party-organisation': '单位党组织',
} as const;

/** The city as one workbook, a sheet per kind named as in the templates (组织, 物业企业, …). */
export async function fixtureCityWorkbook(city: FixtureCity): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const kind of Object.keys(city.files) as ImportKind[]) {
    const rows = city.files[kind];
    const headers = IMPORT_TEMPLATES[kind].columns.map((c) => c.header).filter((h) => h in (rows[0] ?? {}));
    const ws = wb.addWorksheet(IMPORT_TEMPLATES[kind].title.zh);
    ws.addRow(headers);
    for (const r of rows) ws.addRow(headers.map((h) => r[h] ?? ''));
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
