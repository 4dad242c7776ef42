// A SAML 2.0 identity provider (samlify) on a free loopback port, for the SSO tests.
//
//   node saml_idp.mjs config.json
//
// config.json: {"key": "idp-key.pem", "cert": "idp-cert.pem", "rogue_key": "other-key.pem",
//               "sp_metadata": "sp-metadata.xml",
//               "users": {"<login>": {"password", "email", "name", "department", "groups", "disabled"}}}
// Prints {"base": "http://127.0.0.1:<port>", "metadata": "<base>/metadata"} once it listens.
// GET /sso (HTTP-Redirect binding) shows a login form; a good password posts a signed
// assertion to the SP's assertion consumer service. Test-only control, loopback only:
//   POST /_test/users/<login>/disable|enable   the account is switched off (a Responder/RequestDenied status is sent)
//   POST /_test/clock/<seconds>                the IdP's clock runs that many seconds off
//   POST /_test/signing/rogue|real             sign with a key that is not in the metadata (or the real one again)
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';

const require = createRequire(import.meta.url);
const saml = require('samlify');
const { DOMParser } = require('@xmldom/xmldom');

// samlify asks for a schema validator for what it receives (our AuthnRequests). The xmllint
// build it offers takes some 20 s a message on a small machine, so this peer checks that the
// request is well-formed XML whose root is a SAML AuthnRequest; the SP side (pysaml2) is what
// the tests are about.
saml.setSchemaValidator({
  async validate(xml) {
    const errors = [];
    const document = new DOMParser({ onError: (level, message) => errors.push(message) }).parseFromString(xml, 'text/xml');
    const root = document.documentElement;
    if (errors.length || !root || root.localName !== 'AuthnRequest' || root.namespaceURI !== 'urn:oasis:names:tc:SAML:2.0:protocol') {
      throw new Error(`not a SAML AuthnRequest: ${errors.join('; ')}`);
    }
    return 'SUCCESS_VALIDATE_XML';
  },
});

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const users = config.users;
const state = { clockOffset: 0, rogue: false };

const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><h1>${escape(title)}</h1>${body}</body></html>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function attributeStatement(user) {
  const values = {
    email: user.email ? [user.email] : [],
    name: [user.name],
    department: [user.department],
    groups: user.groups || [],
  };
  const attributes = Object.entries(values)
    .filter(([, list]) => list.length && list.every((value) => value))
    .map(([name, list]) => `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${
      list.map((value) => `<saml:AttributeValue xsi:type="xs:string">${escape(value)}</saml:AttributeValue>`).join('')
    }</saml:Attribute>`);
  return `<saml:AttributeStatement>${attributes.join('')}</saml:AttributeStatement>`;
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const idpSettings = (key) => ({
    entityID: `${base}/metadata`,
    signingCert: readFileSync(config.cert),
    privateKey: readFileSync(key),
    wantAuthnRequestsSigned: false,
    isAssertionEncrypted: false,
    nameIDFormat: ['urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'],
    singleSignOnService: [{ Binding: REDIRECT, Location: `${base}/sso` }, { Binding: POST, Location: `${base}/sso` }],
  });
  const idp = saml.IdentityProvider(idpSettings(config.key));
  const rogueIdp = saml.IdentityProvider(idpSettings(config.rogue_key));
  const sp = () => saml.ServiceProvider({ metadata: readFileSync(config.sp_metadata) });

  async function signedResponse(requestInfo, sub, user) {
    const provider = state.rogue ? rogueIdp : idp;
    const theSp = sp();
    return provider.createLoginResponse(theSp, requestInfo, 'post', { email: sub }, (template) => {
      const now = new Date(Date.now() + state.clockOffset * 1000);
      const later = new Date(now.getTime() + 5 * 60 * 1000);
      const acs = theSp.entityMeta.getAssertionConsumerService('post');
      const id = `_${randomUUID()}`;
      const context = fill(template, {
        ID: id,
        AssertionID: `_${randomUUID()}`,
        Destination: escape(acs),
        Audience: escape(theSp.entityMeta.getEntityID()),
        SubjectRecipient: escape(acs),
        Issuer: escape(idp.entityMeta.getEntityID()),
        IssueInstant: now.toISOString(),
        StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
        ConditionsNotBefore: now.toISOString(),
        ConditionsNotOnOrAfter: later.toISOString(),
        SubjectConfirmationDataNotOnOrAfter: later.toISOString(),
        NameIDFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
        NameID: escape(sub),
        InResponseTo: escape(requestInfo.extract.request.id),
        AuthnStatement: `<saml:AuthnStatement AuthnInstant="${now.toISOString()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`,
        AttributeStatement: attributeStatement(user),
      });
      return { id, context };
    });
  }

  function deniedResponse(requestInfo) {
    const theSp = sp();
    const acs = theSp.entityMeta.getAssertionConsumerService('post');
    const now = new Date(Date.now() + state.clockOffset * 1000).toISOString();
    const xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_${randomUUID()}" Version="2.0" IssueInstant="${now}" Destination="${escape(acs)}" InResponseTo="${escape(requestInfo.extract.request.id)}"><saml:Issuer>${escape(idp.entityMeta.getEntityID())}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:RequestDenied"/></samlp:StatusCode><samlp:StatusMessage>This account is disabled at Example Corp.</samlp:StatusMessage></samlp:Status></samlp:Response>`;
    return { context: Buffer.from(xml).toString('base64') };
  }

  function postToSp(res, samlResponse, relayState) {
    const acs = sp().entityMeta.getAssertionConsumerService('post');
    res.end(page('Signing you in…', `
<form method="post" action="${escape(acs)}" id="saml-post">
  <input type="hidden" name="SAMLResponse" value="${escape(samlResponse)}">
  <input type="hidden" name="RelayState" value="${escape(relayState || '')}">
  <button type="submit">Continue</button>
</form>
<script>document.getElementById('saml-post').submit();</script>`));
  }

  function loginForm(samlRequest, relayState, error) {
    return page('Example Corp sign-in (SAML)', `
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/login">
  <input type="hidden" name="SAMLRequest" value="${escape(samlRequest)}">
  <input type="hidden" name="RelayState" value="${escape(relayState || '')}">
  <label>Email or user name <input name="login" autocomplete="username"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button type="submit">Sign in to Example Corp</button>
</form>`);
  }

  server.on('request', async (req, res) => {
    try {
      const url = new URL(req.url, base);
      let match;
      if (req.method === 'POST' && (match = url.pathname.match(/^\/_test\/users\/([^/]+)\/(disable|enable)$/))) {
        const user = users[decodeURIComponent(match[1])];
        if (!user) { res.writeHead(404).end(); return; }
        user.disabled = match[2] === 'disable';
        res.writeHead(204).end();
        return;
      }
      if (req.method === 'POST' && (match = url.pathname.match(/^\/_test\/clock\/(-?\d+)$/))) {
        state.clockOffset = Number(match[1]);
        res.writeHead(204).end();
        return;
      }
      if (req.method === 'POST' && (match = url.pathname.match(/^\/_test\/signing\/(rogue|real)$/))) {
        state.rogue = match[1] === 'rogue';
        res.writeHead(204).end();
        return;
      }
      if (url.pathname === '/metadata') {
        res.setHeader('Content-Type', 'application/samlmetadata+xml');
        res.end(idp.getMetadata());
        return;
      }
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      if (url.pathname === '/sso' && req.method === 'GET') {
        // Check the request now, so a broken one is refused before anyone types a password.
        await idp.parseLoginRequest(sp(), 'redirect', { query: Object.fromEntries(url.searchParams) });
        res.end(loginForm(url.searchParams.get('SAMLRequest'), url.searchParams.get('RelayState')));
        return;
      }
      if (url.pathname === '/login' && req.method === 'POST') {
        const form = await readForm(req);
        const requestInfo = await idp.parseLoginRequest(sp(), 'redirect', {
          query: { SAMLRequest: form.get('SAMLRequest') },
        });
        const login = form.get('login') || '';
        const sub = users[login] ? login : Object.keys(users).find((name) => users[name].email === login);
        if (!sub || users[sub].password !== form.get('password')) {
          res.end(loginForm(form.get('SAMLRequest'), form.get('RelayState'), 'Wrong user name or password.'));
          return;
        }
        const response = users[sub].disabled ? deniedResponse(requestInfo) : await signedResponse(requestInfo, sub, users[sub]);
        postToSp(res, response.context, form.get('RelayState'));
        return;
      }
      res.writeHead(404).end('not found');
    } catch (error) {
      console.error(error);
      if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end(String(error.message || error));
    }
  });
  process.stdout.write(`${JSON.stringify({ base, metadata: `${base}/metadata` })}\n`);
});
