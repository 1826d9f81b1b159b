// A certified OpenID provider (node-oidc-provider) set up like ProConnect for the dashboard's
// sign-in tests: authorization code with PKCE required, client_secret_post, RS256 ID tokens,
// the user info as a signed JWT (application/jwt), RP-initiated logout. Its sign-in form takes
// any password (the provider's development interactions); accounts and their claims come from
// a JSON file. Some accounts get a forged ID token on purpose (see FORGES), the attacks the
// dashboard must refuse.
//
// node fournisseur.mjs <port> <dashboard URL> <client secret> <accounts.json>
// prints "pret <issuer>" once it listens.

import { readFileSync } from 'node:fs';

import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import Provider from 'oidc-provider';

const [port, dashboard, secret, accountsFile] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(readFileSync(accountsFile, 'utf8'));
const CLIENT_ID = 'csf-tableau-de-bord';
const SCOPES = 'openid email given_name usual_name uid siret groups';

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'cle-csf-essai', use: 'sig', alg: 'RS256' };
// Another key under the same name: a token it signs must fail the signature check.
const { privateKey: otherKey } = await generateKeyPair('RS256');

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const resign = (claims, header, key = privateKey) =>
  new SignJWT(claims).setProtectedHeader(header).sign(key);

// Forged ID tokens, by account: what an attacker between the provider and the dashboard, or a
// token stolen from another application, would bring.
const FORGES = {
  // The payload changed, the signature kept: claims to be another user.
  'signature-alteree': async (h, p, s) => [b64(h), b64({ ...p, sub: 'direction' }), s].join('.'),
  // Properly signed, but for another application.
  'autre-audience': async (h, p) => resign({ ...p, aud: 'autre-application' }, h),
  // Properly signed, long expired.
  'jeton-expire': async (h, p) => resign({ ...p, iat: p.iat - 7200, exp: p.iat - 3600 }, h),
  // Properly signed, but for another sign-in (another nonce).
  'autre-nonce': async (h, p) => resign({ ...p, nonce: 'un-autre-nonce-de-trente-deux-caracteres' }, h),
  // Signed by a key that is not the provider's (same key name).
  'autre-cle': async (h, p) => resign(p, h, otherKey),
  // No signature at all.
  'sans-signature': async (h, p) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(p)}.`,
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: secret,
      redirect_uris: [`${dashboard}/connexion/retour`],
      post_logout_redirect_uris: [`${dashboard}/deconnecte`],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
      userinfo_signed_response_alg: 'RS256',
    },
  ],
  jwks: { keys: [jwk] },
  cookies: { keys: ['cle-des-cookies-du-fournisseur-d-essai'] },
  scopes: SCOPES.split(' '),
  claims: {
    // ProConnect puts the identity provider's id in the ID token (uid is unique per provider).
    openid: ['sub', 'idp_id'],
    email: ['email'],
    given_name: ['given_name'],
    usual_name: ['usual_name'],
    uid: ['uid'],
    siret: ['siret'],
    groups: ['groups'],
  },
  features: {
    devInteractions: { enabled: true },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    claimsParameter: { enabled: true },
  },
  pkce: { required: () => true },
  // Every scope granted without a consent screen (the State's provider asks none either).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(SCOPES);
    await grant.save();
    return grant;
  },
  async findAccount(ctx, id) {
    if (!Object.hasOwn(accounts, id)) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...accounts[id] }) };
  },
});

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/token' || ctx.status !== 200 || !ctx.body?.id_token) return;
  const [h, p, s] = ctx.body.id_token.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const payload = JSON.parse(Buffer.from(p, 'base64url'));
  const forge = FORGES[payload.sub];
  if (forge) ctx.body = { ...ctx.body, id_token: await forge(header, payload, s) };
});

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`pret ${issuer}`);
});
