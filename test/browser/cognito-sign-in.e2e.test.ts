/**
 * The pages' `cognito` sign-in provider in a real browser, against a fake hosted UI started here
 * (test/support/fake-cognito.ts): authorization code with PKCE (S256), state and nonce; the ID token it
 * returns is signed by the local stand-in for Cognito, so the local API accepts it exactly as API Gateway
 * accepts a Cognito ID token. The API server is unchanged: it only ever accepts its own signed tokens.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUDIENCE, LocalAuth } from '../../infra/local/auth.js';
import { demoUsers } from '../../shared/demo/demo-users.js';
import { type FakeCognito, startFakeCognito } from '../support/fake-cognito.js';
import { accessibilityProblems, openPage, screenshot, type TestPage, useBrowser, webUrl } from '../support/browser.js';

describe('sign-in through the Cognito hosted UI (authorization code + PKCE)', () => {
  const browser = useBrowser();
  let fake: FakeCognito;
  const pages: TestPage[] = [];

  beforeAll(async () => {
    const auth = LocalAuth.open(inject('stack').dataDir);
    fake = await startFakeCognito({
      clientId: AUDIENCE,
      redirectUri: `${webUrl()}/`,
      sign: (username, nonce) => auth.sign(demoUsers.find((u) => u.username === username)!, '1h', { nonce }),
    });
  });
  afterAll(async () => {
    for (const p of pages) expect(p.errors, 'uncaught errors in the page').toEqual([]);
    await fake?.stop();
  });

  /** A page whose config.js names the fake hosted UI (as the CDK-generated config.js names Cognito's). */
  async function cognitoPage(): Promise<TestPage> {
    const tp = await openPage(browser());
    pages.push(tp);
    const settings = { provider: 'cognito', domain: fake.url, clientId: AUDIENCE, redirectUri: `${webUrl()}/` };
    await tp.page.addInitScript(`window.HOTICH_AUTH = ${JSON.stringify(settings)};`);
    return tp;
  }

  const storedSession = (tp: TestPage) => tp.page.evaluate<{ token: string; provider: string; user: Record<string, string> } | null>(
    'JSON.parse(sessionStorage.getItem("hotich.session") ?? "null")',
  );

  it('computes the S256 challenge of RFC 7636’s example verifier', async () => {
    const { page } = await cognitoPage();
    await page.goto(`${webUrl()}/#/dang-nhap`);
    const challenge = await page.evaluate<string>(
      "import('/js/auth/cognito-provider.js').then((m) => m.pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'))",
    );
    expect(challenge).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('signs in with code + PKCE, returns to the page that asked, calls the API with the ID token, and signs out through the hosted UI', async () => {
    const tp = await cognitoPage();
    const { page } = tp;
    const apiAuthorizations: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(`${webUrl()}/books`)) apiAuthorizations.push(r.headers().authorization ?? '');
    });
    await page.goto(`${webUrl()}/#/so`);
    // A protected page without a session: the sign-in page, with one button (no demo user list).
    await page.locator('[data-testid="sign-in-redirect"]').waitFor();
    expect(await page.locator('button[data-username]').count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'cognito-01-sign-in');

    fake.nextUser = 'hotich.binhan';
    const before = { authorize: fake.authorizeRequests.length, token: fake.tokenRequests.length };
    await page.locator('[data-testid="sign-in-redirect"]').click();
    await page.locator('[data-testid="user-name"]', { hasText: 'hotich.binhan' }).waitFor();

    // What went to the hosted UI: the registered client and callback, S256, state and nonce.
    const authorize = fake.authorizeRequests[before.authorize]!;
    expect(authorize).toMatchObject({ response_type: 'code', client_id: AUDIENCE, redirect_uri: `${webUrl()}/`, scope: 'openid email profile', code_challenge_method: 'S256' });
    expect(authorize.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.state).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(authorize.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // The code was redeemed once, with the verifier whose SHA-256 is the challenge (the fake checks it).
    expect(fake.tokenRequests.slice(before.token)).toEqual([
      {
        params: { grant_type: 'authorization_code', client_id: AUDIENCE, code: expect.stringMatching(/^[0-9a-f]{32}$/), redirect_uri: `${webUrl()}/`, code_verifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
        status: 200,
      },
    ]);
    // Back where the user wanted to go; the code is gone from the address; the verifier is gone from storage.
    await page.waitForFunction('location.hash === "#/so"');
    expect(page.url()).toBe(`${webUrl()}/#/so`);
    expect(await page.evaluate('sessionStorage.getItem("hotich.oauth.pending")')).toBeNull();
    const session = await storedSession(tp);
    expect(session).toMatchObject({ provider: 'cognito', token: fake.issued.at(-1), user: { username: 'hotich.binhan', role: 'commune_officer', unit: '90101', userId: 'u-officer-1' } });
    expect(await page.locator('[data-testid="user-unit"]').textContent()).toContain('90101');
    // The API accepts the ID token: the unit's books are listed.
    await page.waitForFunction('document.querySelector("main h1") && !document.querySelector("main p.muted")?.textContent?.startsWith("Đang tải")');
    expect(apiAuthorizations.length).toBeGreaterThan(0);
    expect(new Set(apiAuthorizations)).toEqual(new Set([`Bearer ${fake.issued.at(-1)}`]));
    expect(await page.locator('main .error').count()).toBe(0);
    await screenshot(page, 'cognito-02-signed-in');

    // Sign-out ends the hosted-UI session too and comes back to the sign-in page.
    const logouts = fake.logouts.length;
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.locator('[data-testid="sign-in-redirect"]').waitFor();
    expect(fake.logouts.slice(logouts)).toEqual([{ client_id: AUDIENCE, logout_uri: `${webUrl()}/` }]);
    expect(await storedSession(tp)).toBeNull();
  });

  it('refuses a callback it did not ask for (state), without redeeming the code', async () => {
    const tp = await cognitoPage();
    const tokens = fake.tokenRequests.length;
    await tp.page.goto(`${webUrl()}/?code=0123456789abcdef0123456789abcdef&state=forged`);
    const error = tp.page.locator('main .error');
    await error.waitFor();
    expect(await error.textContent()).toContain('state');
    expect(fake.tokenRequests.length).toBe(tokens);
    expect(tp.page.url()).not.toContain('code=');
    expect(await storedSession(tp)).toBeNull();
    expect(await accessibilityProblems(tp.page)).toEqual([]);
    await screenshot(tp.page, 'cognito-03-forged-callback');
  });

  it('shows the refusal when the verifier does not match the challenge (a code redeemed by someone else’s verifier)', async () => {
    const tp = await cognitoPage();
    fake.nextUser = 'hotich.binhan';
    fake.tamper = 'challenge';
    try {
      await tp.page.goto(`${webUrl()}/#/dang-nhap`);
      await tp.page.locator('[data-testid="sign-in-redirect"]').click();
      const error = tp.page.locator('main .error');
      await error.waitFor();
      expect(await error.textContent()).toContain('invalid_grant');
      expect(fake.tokenRequests.at(-1)).toMatchObject({ status: 400, error: 'invalid_grant' });
      expect(await storedSession(tp)).toBeNull();
    } finally {
      fake.tamper = 'none';
    }
  });

  it('refuses an ID token that does not carry this sign-in’s nonce', async () => {
    const tp = await cognitoPage();
    fake.nextUser = 'vanhanh';
    fake.tamper = 'nonce';
    try {
      await tp.page.goto(`${webUrl()}/#/dang-nhap`);
      await tp.page.locator('[data-testid="sign-in-redirect"]').click();
      const error = tp.page.locator('main .error');
      await error.waitFor();
      expect(await error.textContent()).toContain('nonce');
      expect(fake.tokenRequests.at(-1)).toMatchObject({ status: 200 });
      expect(await storedSession(tp)).toBeNull();
    } finally {
      fake.tamper = 'none';
    }
  });
});
