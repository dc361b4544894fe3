// Per-address limits count an IPv6 /64 as one client: addresses inside it are one key, and
// the same person cannot step round a limit by changing the last 64 bits.
import { describe, expect, it } from 'vitest';
import { clientKey } from '../../server/http/client-address.ts';

describe('clientKey', () => {
  it('keeps IPv4 addresses as they are, and unwraps IPv4 reached over IPv6', () => {
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('::ffff:c000:207')).toBe('192.0.2.7');
  });

  it('counts IPv4 clients behind a NAT64 gateway (64:ff9b::/96) each as their own address', () => {
    expect(clientKey('64:ff9b::192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('64:ff9b::c000:208')).toBe('192.0.2.8');
    expect(clientKey('64:ff9b::192.0.2.7')).not.toBe(clientKey('64:ff9b::198.51.100.1'));
    // Only the well-known /96: other addresses under 64:ff9b are ordinary IPv6 networks.
    expect(clientKey('64:ff9b:1::1')).toBe('0064:ff9b:0001:0000::/64');
  });

  it('counts every address in one IPv6 /64 as one client, however it is written', () => {
    const key = '2001:0db8:0001:0002::/64';
    for (const address of [
      '2001:db8:1:2::1',
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
      '2001:DB8:1:2:0:0:0:9',
      '2001:db8:1:2::abcd%eth0',
      '2001:db8:1:2:3:4:192.0.2.1',
    ]) {
      expect(clientKey(address), address).toBe(key);
    }
    expect(clientKey('2001:db8:1:3::1')).not.toBe(key);
    expect(clientKey('::1')).toBe('0000:0000:0000:0000::/64');
  });

  it('leaves anything else alone', () => {
    expect(clientKey('')).toBe('');
    expect(clientKey('not an address')).toBe('not an address');
  });
});
