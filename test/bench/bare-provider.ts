// The yardstick: a bare oidc-provider (defaults, its in-memory adapter, one static client with
// client credentials) in a process of its own, as `tessera server` is. Prints "listening <port>".
// Usage: node test/bench/bare-provider.ts <client_id> <client_secret>
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const [clientId, clientSecret] = process.argv.slice(2);
if (!clientId || !clientSecret) throw new Error('usage: bare-provider.ts <client_id> <client_secret>');
const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as { port: number };
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{ client_id: clientId, client_secret: clientSecret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] }],
  features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
});
provider.silent = true;
server.on('request', provider.callback());
console.log(`listening ${port}`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
