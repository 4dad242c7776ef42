// A real Bluesky PDS (@atproto/pds) on loopback, with a tiny in-memory PLC directory beside it.
//
//   node bluesky_pds.mjs config.json
//
// config.json: {"port": <free loopback port>}. The PDS's data (SQLite, blobs) goes to a fresh
// temporary directory. Its accounts' did:plc operations go to the PLC directory here (which
// keeps the last operation per DID and answers its DID document), so nothing leaves loopback.
// Prints one line of JSON, {"url": "http://localhost:<port>"}, once it listens.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function didDocument(did, op) {
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    alsoKnownAs: op.alsoKnownAs,
    verificationMethod: Object.entries(op.verificationMethods).map(([name, key]) => ({
      id: `${did}#${name}`,
      type: 'Multikey',
      controller: did,
      publicKeyMultibase: key.replace('did:key:', ''),
    })),
    service: Object.entries(op.services).map(([name, service]) => ({
      id: `#${name}`,
      type: service.type,
      serviceEndpoint: service.endpoint,
    })),
  };
}

const operations = new Map();
const plc = http.createServer((req, res) => {
  const [, did = '', tail = ''] = req.url.split('/').map(decodeURIComponent);
  if (req.method === 'POST') {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      operations.set(did, JSON.parse(body));
      json(res, 200, {});
    });
    return;
  }
  const op = operations.get(did);
  if (!op) return json(res, 404, { message: `DID not registered: ${did}` });
  if (tail === 'data') {
    const { verificationMethods, rotationKeys, alsoKnownAs, services } = op;
    return json(res, 200, { did, verificationMethods, rotationKeys, alsoKnownAs, services });
  }
  return json(res, 200, didDocument(did, op));
});
await new Promise((resolve) => plc.listen(0, '127.0.0.1', resolve));

const data = mkdtempSync(join(tmpdir(), 'bluesky-pds-'));
Object.assign(process.env, {
  PDS_HOSTNAME: 'localhost',
  PDS_PORT: String(config.port),
  PDS_DATA_DIRECTORY: data,
  PDS_BLOBSTORE_DISK_LOCATION: join(data, 'blobs'),
  PDS_JWT_SECRET: randomBytes(16).toString('hex'),
  PDS_ADMIN_PASSWORD: randomBytes(16).toString('hex'),
  PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: randomBytes(32).toString('hex'),
  PDS_DID_PLC_URL: `http://127.0.0.1:${plc.address().port}`,
  PDS_DEV_MODE: 'true',
  PDS_INVITE_REQUIRED: 'false',
  PDS_SERVICE_HANDLE_DOMAINS: '.test',
  LOG_ENABLED: 'false',
});

const { PDS, envToCfg, envToSecrets, readEnv } = require('@atproto/pds');
const env = readEnv();
const pds = await PDS.create(envToCfg(env), envToSecrets(env));
// Loopback only: the PDS would otherwise listen on every interface.
pds.app.listen = (port) => http.createServer(pds.app).listen(port, '127.0.0.1');
await pds.start();
process.stdout.write(JSON.stringify({ url: `http://localhost:${config.port}` }) + '\n');

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, async () => {
    await pds.destroy().catch(() => {});
    plc.close();
    process.exit(0);
  });
}
