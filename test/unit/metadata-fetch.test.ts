// Which addresses an SP metadata URL may reach: never link-local, metadata, unspecified,
// multicast or reserved (also as IPv4-mapped IPv6); loopback only outside production; private
// ranges allowed. Redirect and URL checks are covered in test/integration/admin-api-saml-sps.test.ts.
import { describe, expect, it } from 'vitest';
import { fetchMetadata, refusedAddress } from '../../core/saml/metadata-fetch.ts';

const production = { allowLoopback: false };
const development = { allowLoopback: true };

describe('refusedAddress', () => {
  it.each(['169.254.169.254', '169.254.0.1', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', 'fe80::1', 'fd00:ec2::254', '100.100.100.200', '0.0.0.0', '::', '224.0.0.1', '255.255.255.255', 'ff02::1'])(
    'refuses %s everywhere', (address) => {
      expect(refusedAddress(address, development)).toBeDefined();
      expect(refusedAddress(address, production)).toBeDefined();
    },
  );

  it('refuses loopback in production only', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) {
      expect(refusedAddress(address, production), address).toMatch(/loopback/);
      expect(refusedAddress(address, development), address).toBeUndefined();
    }
  });

  it('allows public and private addresses', () => {
    for (const address of ['93.184.216.34', '10.0.0.5', '192.168.1.10', '172.16.0.1', '2001:db8::1', 'fd12::1']) {
      expect(refusedAddress(address, production), address).toBeUndefined();
    }
  });

  it('refuses a loopback URL in production before connecting', async () => {
    await expect(fetchMetadata('http://127.0.0.1:9/metadata', production)).rejects.toThrow(/loopback/);
    await expect(fetchMetadata('http://[::1]:9/metadata', production)).rejects.toThrow(/loopback/);
    await expect(fetchMetadata('http://localhost:9/metadata', production)).rejects.toThrow(/resolves to a loopback/);
  });
});
