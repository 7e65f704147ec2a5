// A real, independent OpenID Connect provider for the portal's sign-in tests: panva's
// oidc-provider (certified OpenID Provider library) with one client and one test user, on
// 127.0.0.1. Synthetic data only; nothing here is a secret worth keeping.
//
//   node provider.mjs --redirect-uri URL --client-secret S --password P [--port 0]
//        [--client-id passport-portal] [--username staff.one] [--subject staff-0001]
//        [--email staff.one@example.nhs.uk] [--id-token-alg RS256|ES256]
//
// Prints one JSON line, {"issuer": "http://127.0.0.1:PORT"}, once it listens; runs until killed.
// Signing keys (RSA 2048 and P-256) are made fresh at each start. The login page is this file's
// own (not the library's development pages): it accepts the one user's password only, and
// consent is granted automatically for the one (first-party) client.
import http from 'node:http';
import { generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'redirect-uri': { type: 'string' },
    'client-id': { type: 'string', default: 'passport-portal' },
    'client-secret': { type: 'string' },
    username: { type: 'string', default: 'staff.one' },
    password: { type: 'string' },
    subject: { type: 'string', default: 'staff-0001' },
    email: { type: 'string', default: 'staff.one@example.nhs.uk' },
    'id-token-alg': { type: 'string', default: 'RS256' },
  },
});
for (const required of ['redirect-uri', 'client-secret', 'password']) {
  if (!args[required]) {
    console.error(`--${required} is required`);
    process.exit(2);
  }
}

function signingKey(type, options, kid, alg) {
  const jwk = generateKeyPairSync(type, options).privateKey.export({ format: 'jwk' });
  return { ...jwk, kid, alg, use: 'sig' };
}

const user = {
  username: args.username,
  password: args.password,
  sub: args.subject,
  email: args.email,
  name: 'Sam Example (synthetic)',
};

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(args.port), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: args['client-id'],
    client_secret: args['client-secret'],
    redirect_uris: [args['redirect-uri']],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: args['id-token-alg'],
  }],
  jwks: {
    keys: [
      signingKey('rsa', { modulusLength: 2048 }, 'rsa-1', 'RS256'),
      signingKey('ec', { namedCurve: 'P-256' }, 'ec-1', 'ES256'),
    ],
  },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Scope claims go in the ID token itself: the portal reads only the ID token.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    if (id !== user.sub) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: user.email, email_verified: true, name: user.name };
      },
    };
  },
  // The one client is first-party: consent is implied (the library's documented recipe).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name']);
    await grant.save();
    return grant;
  },
});

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, failed) {
  return `<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Test identity provider: sign in</title></head>
<body><main><h1>Test identity provider</h1>
${failed ? '<p role="alert" id="error">Wrong username or password.</p>' : ''}
<form method="post" action="/interaction/${escape(uid)}">
<p><label for="username">Username</label> <input id="username" name="username" autocomplete="username"></p>
<p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password"></p>
<p><button type="submit" id="submit">Sign in</button></p>
</form></main></body></html>`;
}

function same(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 8192) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

async function interaction(req, res) {
  const { uid, prompt } = await provider.interactionDetails(req, res);
  if (prompt.name !== 'login') {
    res.writeHead(501).end(`prompt ${prompt.name} is not implemented`);
    return;
  }
  if (req.method === 'POST') {
    const form = await readForm(req);
    if (same(form.get('username'), user.username) && same(form.get('password'), user.password)) {
      await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, {
        mergeWithLastSubmission: false,
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(uid, true));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
    .end(loginPage(uid, false));
}

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((e) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`interaction failed: ${e.message}`);
    });
  } else {
    callback(req, res);
  }
});

console.log(JSON.stringify({ issuer }));
