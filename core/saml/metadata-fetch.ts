// Fetches an SP's metadata from the URL an admin gives, without letting that URL reach what the
// server alone can reach (SSRF). Rules:
// - http(s) only, no credentials in the URL, at most 3 redirects (each checked like the first);
// - every address the name resolves to is checked where the connection is made (so DNS
//   rebinding cannot swap it afterwards): never link-local (169.254.0.0/16, fe80::/10, which hold
//   cloud metadata services), cloud metadata addresses (fd00:ec2::254, 100.100.100.200),
//   unspecified, multicast, broadcast or reserved ranges, nor loopback in production. Private
//   ranges (10/8, 172.16/12, 192.168/16, fc00::/7) are allowed: SPs on an intranet are common;
//   IPv4-mapped IPv6 addresses are judged as their IPv4 address;
// - at most MAX_METADATA_BYTES, within 5 s in all; no Accept-Encoding (nothing to inflate).
// Failure messages are fixed sentences: nothing of the answer is ever repeated back.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { MAX_METADATA_BYTES } from './saml-sps.ts';

export class MetadataFetchError extends Error {}

export interface FetchRules { allowLoopback: boolean; timeoutMs?: number }

const ALWAYS_REFUSED = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['169.254.0.0', 16], ['224.0.0.0', 4], ['240.0.0.0', 4], ['100.100.100.200', 32]] as const) {
  ALWAYS_REFUSED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [['::', 128], ['fe80::', 10], ['ff00::', 8], ['fd00:ec2::254', 128]] as const) ALWAYS_REFUSED.addSubnet(net, prefix, 'ipv6');
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** `::ffff:a9fe:a9fe` or `::ffff:169.254.169.254` → `169.254.169.254`; anything else unchanged. */
function unmapped(address: string): string {
  const m = /^::ffff:(?:([0-9.]+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (!m) return address;
  if (m[1]) return m[1];
  const high = parseInt(m[2]!, 16);
  const low = parseInt(m[3]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Why the address may not be fetched from, or undefined when it may. */
export function refusedAddress(raw: string, rules: FetchRules): string | undefined {
  const address = unmapped(raw.replace(/^\[|\]$/g, '').toLowerCase());
  const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (!isIP(address)) return 'not an IP address';
  if (ALWAYS_REFUSED.check(address, type)) return 'a link-local, metadata, multicast or reserved address';
  if (!rules.allowLoopback && LOOPBACK.check(address, type)) return 'a loopback address';
  return undefined;
}

function guardedLookup(rules: FetchRules): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      const bad = list.find((a) => refusedAddress(a.address, rules));
      if (bad || list.length === 0) return callback(new MetadataFetchError(`the metadata URL's host resolves to ${bad ? refusedAddress(bad.address, rules) : 'nothing'}`), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** @throws MetadataFetchError naming what is wrong with the URL. */
function checkedUrl(text: string, rules: FetchRules): URL {
  const url = URL.parse(text);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new MetadataFetchError('the metadata URL must be an http(s) URL');
  if (url.username || url.password) throw new MetadataFetchError('the metadata URL must not carry credentials');
  if (isIP(url.hostname.replace(/^\[|\]$/g, ''))) {
    const why = refusedAddress(url.hostname, rules);
    if (why) throw new MetadataFetchError(`the metadata URL names ${why}`);
  }
  return url;
}

function get(url: URL, rules: FetchRules, signal: AbortSignal): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', lookup: guardedLookup(rules), signal, headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' } }, resolve);
    req.on('error', reject);
    req.end();
  });
}

async function body(res: IncomingMessage): Promise<string> {
  const declared = Number(res.headers['content-length'] ?? 0);
  if (declared > MAX_METADATA_BYTES) throw new MetadataFetchError('the metadata is larger than 256 KiB');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > MAX_METADATA_BYTES) {
      res.destroy();
      throw new MetadataFetchError('the metadata is larger than 256 KiB');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The metadata XML at `text`. @throws MetadataFetchError with a fixed sentence. */
export async function fetchMetadata(text: string, rules: FetchRules): Promise<string> {
  const signal = AbortSignal.timeout(rules.timeoutMs ?? 5000);
  let url = checkedUrl(text, rules);
  try {
    for (let hop = 0; ; hop++) {
      const res = await get(url, rules, signal);
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
        res.resume();
        if (hop >= 3) throw new MetadataFetchError('the metadata URL redirects more than 3 times');
        url = checkedUrl(new URL(res.headers.location, url).toString(), rules);
        continue;
      }
      if (res.statusCode !== 200) {
        res.resume();
        throw new MetadataFetchError(`the metadata URL answered HTTP ${res.statusCode}`);
      }
      return await body(res);
    }
  } catch (err) {
    if (err instanceof MetadataFetchError) throw err;
    if ((err as Error)?.cause instanceof MetadataFetchError) throw (err as Error).cause;
    if (signal.aborted) throw new MetadataFetchError('the metadata URL did not answer within 5 seconds');
    throw new MetadataFetchError('the metadata URL could not be fetched');
  }
}
