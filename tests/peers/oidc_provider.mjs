// A real OpenID Connect provider (node-oidc-provider) on a free loopback port, for the SSO tests.
//
//   node oidc_provider.mjs config.json
//
// config.json: {"clients": [{client_id, client_secret, redirect_uris, post_logout_redirect_uris}],
//               "users": {"<sub>": {"password", "email", "name", "department", "groups", "disabled"}}}
// Prints one line of JSON, {"issuer": "http://127.0.0.1:<port>"}, once it listens.
// Test-only control, loopback only: POST /_test/users/<sub>/disable (or /enable) switches an
// account off at the provider, as an IT team would; its next sign-in is refused (access_denied).
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const users = config.users;

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><h1>${escape(title)}</h1>${body}</body></html>`;
}

function loginForm(uid, error) {
  return page('Example Corp sign-in', `
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
  <label>Email or user name <input name="login" autocomplete="username"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button type="submit">Sign in to Example Corp</button>
</form>`);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function findUser(login) {
  if (users[login]) return login;
  return Object.keys(users).find((sub) => users[sub].email === login);
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: config.clients.map((client) => ({
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...client,
    })),
    async findAccount(ctx, sub) {
      const user = users[sub];
      // A disabled account no longer exists for the provider: no tokens, no userinfo.
      if (!user || user.disabled) return undefined;
      return {
        accountId: sub,
        async claims() {
          const claims = { sub, name: user.name, department: user.department, groups: user.groups };
          if (user.email) Object.assign(claims, { email: user.email, email_verified: true });
          return claims;
        },
      };
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'department', 'groups'],
    },
    // First-party client: no consent screen, the grant is made on sign-in.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId, grant.jti);
      return grant;
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = page('Sign out of Example Corp?', `${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>`);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = page('Signed out of Example Corp', '<p>You are signed out.</p>');
        },
      },
    },
    cookies: { keys: ['test-peer-cookie-key-not-secret'] },
    ttl: { Session: 600, Interaction: 600, Grant: 600, IdToken: 300, AccessToken: 300, AuthorizationCode: 60 },
  });
  provider.on('server_error', (ctx, error) => console.error('server_error', error));

  const callback = provider.callback();
  server.on('request', async (req, res) => {
    try {
      const url = new URL(req.url, issuer);
      const control = url.pathname.match(/^\/_test\/users\/([^/]+)\/(disable|enable)$/);
      if (control && req.method === 'POST') {
        const user = users[decodeURIComponent(control[1])];
        if (!user) { res.writeHead(404).end(); return; }
        user.disabled = control[2] === 'disable';
        res.writeHead(204).end();
        return;
      }
      const interaction = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
      if (!interaction) { callback(req, res); return; }
      const details = await provider.interactionDetails(req, res);
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      if (!interaction[2]) { res.end(loginForm(details.uid)); return; }
      const form = await readForm(req);
      const sub = findUser(form.get('login') || '');
      if (!sub || users[sub].password !== form.get('password')) {
        res.end(loginForm(details.uid, 'Wrong user name or password.'));
        return;
      }
      if (users[sub].disabled) {
        await provider.interactionFinished(req, res, {
          error: 'access_denied', error_description: 'This account is disabled at Example Corp.',
        }, { mergeWithLastSubmission: false });
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
    } catch (error) {
      console.error(error);
      if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end(String(error.message || error));
    }
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
