import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import { startTestServer, type TestServer } from '../support/test-server';
import { AUTH_ENV, gql, KEYS, post, SECRET } from '../support/auth-fixtures';

/** Hostile credentials: JWTs without `exp`, forged or odd subjects; refusals and audit reads in the audit trail. */

/** The audit actor of an API key. */
const keyActor = (key: string) => `key:${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
/** An HS256 token with exactly these claims: no `sub` or `exp` unless given. */
const token = (claims: Record<string, unknown>, expiresIn?: string) => {
  const t = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  return (expiresIn ? t.setExpirationTime(expiresIn) : t).sign(new TextEncoder().encode(SECRET));
};

const AUDIT = `query($where: AuditWhere) { auditLog(where: $where, first: 100) { nodes { actor role operation ids idCount outcome error } } }`;
const auditLog = async (s: TestServer, where: Record<string, string>) => {
  const res = await gql(s, AUDIT, KEYS.admin, { where });
  expect(res.body.errors).toBeUndefined();
  return res.body.data.auditLog.nodes as { actor: string; role: string; operation: string; ids: string[]; outcome: string; error: string | null }[];
};

/** Retries `check` for up to 3 s: a refusal on /ingest is recorded once its response has gone out. */
async function eventually(check: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 3000;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const upsert = (id: string) => `mutation { upsertAssets(input: [{ id: "${id}", kind: "UPS" }]) { id } }`;
const assetExists = async (s: TestServer, id: string) => (await gql(s, `{ asset(id: "${id}") { id } }`, KEYS.admin)).body.data.asset !== null;

describe('hostile credentials', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: AUTH_ENV });
    expect((await gql(s, upsert('ups-1'), KEYS.admin)).status).toBe(200);
  });
  afterAll(() => s.stop());

  it('refuses a JWT without exp (401, saying exp is required) unless AUTH_JWT_REQUIRE_EXP=0', async () => {
    const noExp = await token({ sub: 'alice@example.com', role: 'admin' });
    const read = await gql(s, `{ model { name } }`, noExp);
    expect(read.status).toBe(401);
    expect(read.body.errors[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: expect.stringMatching(/"exp".*required/) });
    expect((await gql(s, upsert('ups-noexp'), noExp)).status).toBe(401);
    expect((await post(s, JSON.stringify({ assetId: 'ups-1', observedAt: new Date().toISOString(), values: { loadKw: 1 } }), noExp, '/ingest')).status).toBe(401);
    expect(await assetExists(s, 'ups-noexp')).toBe(false);

    const lenient = await startTestServer({ sameStoreAs: s, env: { ...AUTH_ENV, AUTH_JWT_REQUIRE_EXP: '0' } });
    try {
      const ok = await gql(lenient, upsert('ups-noexp'), noExp);
      expect(ok.status).toBe(200);
      expect(ok.body.data.upsertAssets).toEqual([{ id: 'ups-noexp' }]);
      // An expired token is still refused there.
      expect((await gql(lenient, `{ model { name } }`, await token({ sub: 'alice@example.com', role: 'admin' }, '-1m'))).status).toBe(401);
    } finally {
      await lenient.stop();
    }
    expect(await auditLog(s, { operation: 'upsertAssets', assetId: 'ups-noexp' })).toEqual([
      expect.objectContaining({ actor: 'jwt:alice@example.com', role: 'admin', outcome: 'OK', ids: ['ups-noexp'] }),
    ]);
  });

  it('records a JWT subject as jwt:<sub>, so "key:…" or "anonymous" cannot pass for a key or an anonymous caller', async () => {
    const admin = keyActor(KEYS.admin);
    for (const sub of [admin, 'anonymous']) {
      const forged = await token({ sub, role: 'operator' }, '5m');
      const res = await gql(s, `mutation($t: DateTime!) { reportState(input: [{ assetId: "ups-1", observedAt: $t, values: { loadKw: 3 } }]) { accepted } }`, forged, { t: new Date().toISOString() });
      expect(res.body.data.reportState.accepted).toBe(1);
      expect(await auditLog(s, { actor: `jwt:${sub}`, operation: 'reportState' })).toEqual([expect.objectContaining({ role: 'operator', outcome: 'OK', ids: ['ups-1'] })]);
      expect(await auditLog(s, { actor: sub, operation: 'reportState' })).toEqual([]);
    }
    // The key's own entries are still only its own.
    expect((await auditLog(s, { actor: admin })).every((e) => e.role === 'admin')).toBe(true);
  });

  it('refuses a JWT whose sub is not a non-empty string (401), recording no "[object Object]"', async () => {
    for (const sub of [{ id: 'alice' }, 42, '', undefined]) {
      const odd = await token({ ...(sub === undefined ? {} : { sub }), role: 'admin' }, '5m');
      const res = await gql(s, upsert('ups-odd'), odd);
      expect(res.status).toBe(401);
      expect(res.body.errors[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: expect.stringMatching(/"sub" must be a non-empty string/) });
    }
    expect(await assetExists(s, 'ups-odd')).toBe(false);
    const actors = (await auditLog(s, {})).map((e) => e.actor);
    expect(actors.filter((a) => /object|^jwt:(42)?$/.test(a))).toEqual([]);
  });

  it('records a forbidden mutation (FORBIDDEN, actor and role, no ids) and runs nothing', async () => {
    const res = await gql(s, upsert('ups-forbidden'), KEYS.viewer);
    expect(res.status).toBe(403);
    expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(await assetExists(s, 'ups-forbidden')).toBe(false);
    const [latest] = await auditLog(s, { operation: 'upsertAssets' });
    expect(latest).toEqual({ actor: keyActor(KEYS.viewer), role: 'viewer', operation: 'upsertAssets', ids: [], idCount: 0, outcome: 'ERROR', error: 'FORBIDDEN' });
  });

  it('records refused /ingest calls (UNAUTHENTICATED as anonymous, FORBIDDEN as the caller) and writes nothing', async () => {
    const line = JSON.stringify({ assetId: 'ups-1', observedAt: new Date(Date.now() + 1000).toISOString(), values: { loadKw: 999 } });
    const before = (await gql(s, `{ asset(id: "ups-1") { state } }`, KEYS.admin)).body.data.asset.state;
    const refusedBefore = (await auditLog(s, { operation: 'ingest' })).filter((e) => e.outcome === 'ERROR').length;
    expect((await post(s, line, undefined, '/ingest')).status).toBe(401);
    expect((await post(s, line, 'not-a-key', '/ingest')).status).toBe(401);
    expect((await post(s, line, KEYS.viewer, '/ingest')).status).toBe(403);
    expect((await post(s, line, await token({ sub: 'bob', scope: 'x' }, '5m'), '/ingest')).status).toBe(403);
    await eventually(async () => {
      const all = (await auditLog(s, { operation: 'ingest' })).filter((e) => e.outcome === 'ERROR');
      expect(all).toHaveLength(refusedBefore + 4);
      const refused = all.slice(0, 4); // newest first
      expect(refused).toEqual(
        expect.arrayContaining([
          { actor: 'anonymous', role: 'none', operation: 'ingest', ids: [], idCount: 0, outcome: 'ERROR', error: 'UNAUTHENTICATED' },
          { actor: keyActor(KEYS.viewer), role: 'viewer', operation: 'ingest', ids: [], idCount: 0, outcome: 'ERROR', error: 'FORBIDDEN' },
          { actor: 'jwt:bob', role: 'none', operation: 'ingest', ids: [], idCount: 0, outcome: 'ERROR', error: 'FORBIDDEN' },
        ]),
      );
      expect(refused.filter((e) => e.actor === 'anonymous')).toHaveLength(2);
    });
    expect((await gql(s, `{ asset(id: "ups-1") { state } }`, KEYS.admin)).body.data.asset.state).toEqual(before);
  });

  it('records every read of the audit log, after it ran (a read does not list itself)', async () => {
    const reads = () => auditLog(s, { operation: 'auditLog' });
    const first = await reads();
    const second = await reads();
    expect(second).toHaveLength(first.length + 1);
    expect(second[0]).toEqual({ actor: keyActor(KEYS.admin), role: 'admin', operation: 'auditLog', ids: [], idCount: 0, outcome: 'OK', error: null });
  });
});
