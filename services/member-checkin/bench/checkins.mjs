#!/usr/bin/env node
// Sustained check-ins per second through the gateway of a running suite, with p50/p99 latency.
//
//   HONGLIAN_URL=http://127.0.0.1:8080 node services/member-checkin/bench/checkins.mjs
//
// Tokens come from the realm's token endpoint (password grant, demo users, password honglian-demo).
// Setup (idempotent, through the org registry): the demo street/community/compound of 331003, an
// agency unit `bench-unit` with MEMBERS members, each reported to the demo community (a witness may
// name only members who reported there); then staff-331003 publishes one long activity and
// CONCURRENCY workers run witnessed check-in → check-out cycles (each worker one member, so sessions
// never overlap) for DURATION_SECONDS. A short QR phase measures the member's own scan path.
//
// Variables: HONGLIAN_URL, MEMBERS (20), CONCURRENCY (= MEMBERS), DURATION_SECONDS (10),
// QR_CYCLES (20, 0 to skip), PASSWORD (honglian-demo), CLIENT_ID (honglian-web).

const BASE = (process.env.HONGLIAN_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
const MEMBERS = Number(process.env.MEMBERS ?? 20);
const CONCURRENCY = Math.min(Number(process.env.CONCURRENCY ?? MEMBERS), MEMBERS);
const DURATION = Number(process.env.DURATION_SECONDS ?? 10) * 1000;
const QR_CYCLES = Number(process.env.QR_CYCLES ?? 20);
const PASSWORD = process.env.PASSWORD ?? 'honglian-demo';
const CLIENT_ID = process.env.CLIENT_ID ?? 'honglian-web';
const C = '331003';

async function token(username) {
  const res = await fetch(`${BASE}/realms/honglian/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: CLIENT_ID, username, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`token for ${username}: ${res.status} ${await res.text()}`);
  return (await res.json()).access_token;
}

async function call(tok, method, path, body) {
  const res = await fetch(BASE + path, {
    method,
    headers: { authorization: `Bearer ${tok}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, body: json };
}

// GB 11643 check character, so bench members have valid ID numbers.
function idNumber(seq) {
  const first17 = `33100319900101${String(seq).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
const ms = (v) => `${v.toFixed(1)} ms`;

async function setup(city, admin) {
  const day = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  const org = async (body) => {
    const r = await call(city, 'POST', '/api/v1/registry/orgs', { effectiveFrom: '2026-01-01', ...body });
    if (r.status !== 201 && r.status !== 409)
      throw new Error(`org ${body.id}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  await org({ id: '331000', kind: 'city', name: '台州市', parentId: null, county: '331000' });
  await org({ id: C, kind: 'county', name: '黄岩区', parentId: '331000' });
  await org({ id: `${C}-street-01`, kind: 'street', name: '黄岩区示范街道', parentId: C });
  await org({
    id: `${C}-community-01`,
    kind: 'community',
    name: '黄岩区示范社区',
    parentId: `${C}-street-01`,
  });
  await org({
    id: `${C}-compound-01`,
    kind: 'compound',
    name: '黄岩区示范小区',
    parentId: `${C}-community-01`,
  });
  await org({ id: 'bench-unit', kind: 'agency-unit', name: '压测单位', parentId: C });
  await org({
    id: 'bench-unit-party',
    kind: 'agency-party-organisation',
    name: '压测单位党支部',
    parentId: 'bench-unit',
  });
  for (let i = 0; i < MEMBERS; i++) {
    const r = await call(admin, 'POST', '/api/v1/registry/members', {
      name: `压测党员${i + 1}`,
      idNumber: idNumber(i + 1),
      phone: `1380000${String(i).padStart(4, '0')}`,
      category: 'in-service',
      partyOrgId: 'bench-unit-party',
      workUnitId: 'bench-unit',
      residenceCompoundId: `${C}-compound-01`,
      effectiveFrom: day,
    });
    if (r.status !== 201 && r.status !== 409)
      throw new Error(`member ${i}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  const list = await call(admin, 'GET', `/api/v1/registry/members?workUnitId=bench-unit&limit=200`);
  const ids = (list.body?.items ?? []).map((m) => m.id).slice(0, MEMBERS);
  if (ids.length === 0) throw new Error(`no bench members: ${list.status} ${JSON.stringify(list.body)}`);
  // Wait until member-checkin's read model has them (it learns them from registry events).
  for (const id of ids) {
    for (let tries = 0; ; tries++) {
      const s = await call(admin, 'GET', `/api/v1/checkin/members/${id}/summary`);
      if (s.status === 200) break;
      if (tries > 100) throw new Error(`member ${id} never reached member-checkin (${s.status})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  // A witness names only members who reported to the activity's community: file their residence reports.
  for (const id of ids) {
    const r = await call(admin, 'POST', '/api/v1/checkin/reports', {
      memberId: id,
      kind: 'residence',
      communityId: `${C}-community-01`,
    });
    if (r.status !== 201 && r.status !== 409)
      throw new Error(`report of ${id}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return ids;
}

async function main() {
  const [city, admin, staff] = await Promise.all([
    token('city-admin'),
    token(`county-admin-${C}`),
    token(`staff-${C}`),
  ]);
  const members = await setup(city, admin);
  const act = await call(staff, 'POST', '/api/v1/checkin/activities', {
    communityId: `${C}-community-01`,
    title: '压测活动',
    startsAt: new Date(Date.now() - 10 * 60_000).toISOString(),
    endsAt: new Date(Date.now() + 12 * 3_600_000).toISOString(),
  });
  if (act.status !== 201) throw new Error(`activity: ${act.status} ${JSON.stringify(act.body)}`);
  const activityId = act.body.id;

  const checkIns = [];
  const checkOuts = [];
  const errors = new Map();
  const fail = (what, r) => {
    const why = r.body?.code ?? r.body?.reason?.en ?? r.body?.detail ?? '';
    const key = `${what} ${r.status}${why ? ` (${why})` : ''}`;
    errors.set(key, (errors.get(key) ?? 0) + 1);
  };
  const deadline = Date.now() + DURATION;
  const started = performance.now();
  await Promise.all(
    members.slice(0, CONCURRENCY).map(async (memberId) => {
      while (Date.now() < deadline) {
        let t = performance.now();
        const inn = await call(staff, 'POST', '/api/v1/checkin/attendances/check-in', {
          activityId,
          memberId,
        });
        if (inn.status !== 201) {
          fail('check-in', inn);
          if (inn.status === 429) {
            // Rate-limited by the gateway: back off as a client would (raise RATE_LIMIT_MAX to measure the service).
            await new Promise((r) => setTimeout(r, Number(inn.headers?.get?.('retry-after') ?? 1) * 1000));
          } else if (inn.status === 409 && inn.body?.attendanceId) {
            // A session left open by an earlier run (another activity): close it and go on.
            const open = await call(staff, 'GET', `/api/v1/checkin/attendances/${inn.body.attendanceId}`);
            if (process.env.VERBOSE) console.log('  clash with', JSON.stringify(open.body));
            if (open.body?.activityId)
              await call(staff, 'POST', '/api/v1/checkin/attendances/check-out', {
                activityId: open.body.activityId,
                memberId,
              });
          }
          continue;
        }
        checkIns.push(performance.now() - t);
        t = performance.now();
        const out = await call(staff, 'POST', '/api/v1/checkin/attendances/check-out', {
          activityId,
          memberId,
        });
        if (out.status !== 200) fail('check-out', out);
        else checkOuts.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  checkIns.sort((a, b) => a - b);
  checkOuts.sort((a, b) => a - b);
  console.log(`member-checkin through ${BASE}: ${CONCURRENCY} concurrent members, ${seconds.toFixed(1)} s`);
  console.log(
    `  check-ins   ${checkIns.length} (${(checkIns.length / seconds).toFixed(1)}/s sustained)  p50 ${ms(percentile(checkIns, 50))}  p99 ${ms(percentile(checkIns, 99))}`,
  );
  console.log(
    `  check-outs  ${checkOuts.length} (${(checkOuts.length / seconds).toFixed(1)}/s)  p50 ${ms(percentile(checkOuts, 50))}  p99 ${ms(percentile(checkOuts, 99))}`,
  );
  console.log(
    `  cycles/s    ${(Math.min(checkIns.length, checkOuts.length) / seconds).toFixed(1)} (check-in + check-out)`,
  );
  if (errors.size) console.log(`  errors      ${JSON.stringify(Object.fromEntries(errors))}`);

  if (QR_CYCLES > 0) {
    // The member's own path: staff screen shows the rotating token, the member scans it (twice per cycle).
    const memberTok = await token(`member-${C}`);
    const lat = [];
    let refused = 0;
    for (let i = 0; i < QR_CYCLES; i++) {
      const qr = await call(staff, 'GET', `/api/v1/checkin/activities/${activityId}/qr`);
      if (qr.status !== 200) {
        console.log(`  qr          screen refused: ${qr.status} ${qr.body?.detail ?? ''}`);
        break;
      }
      let t = performance.now();
      const inn = await call(memberTok, 'POST', '/api/v1/checkin/attendances/check-in', {
        token: qr.body.token,
      });
      if (inn.status !== 201) {
        refused++;
        if (i === 0)
          console.log(
            `  qr          skipped: ${inn.status} ${inn.body?.reason?.en ?? inn.body?.detail ?? ''}`,
          );
        if (i === 0) break;
        continue;
      }
      lat.push(performance.now() - t);
      const qr2 = await call(staff, 'GET', `/api/v1/checkin/activities/${activityId}/qr`);
      t = performance.now();
      const out = await call(memberTok, 'POST', '/api/v1/checkin/attendances/check-out', {
        token: qr2.body.token,
      });
      if (out.status === 200) lat.push(performance.now() - t);
      else refused++;
    }
    lat.sort((a, b) => a - b);
    if (lat.length)
      console.log(
        `  qr scans    ${lat.length}  p50 ${ms(percentile(lat, 50))}  p99 ${ms(percentile(lat, 99))}  refused ${refused}`,
      );
  }
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exit(1);
});
