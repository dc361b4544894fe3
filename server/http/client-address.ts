// Who is asking, for counting: one IPv4 address, or one IPv6 /64. A home or phone connection on
// IPv6 is given a whole /64 and may use any address in it, so counting single IPv6 addresses
// would let one person step round every per-address limit by changing the last 64 bits.
import { isIPv4, isIPv6 } from 'node:net';

/** The eight groups of an IPv6 address, each as four hex digits, or null if it is not one. */
function ipv6Groups(address: string): string[] | null {
  const plain = address.replace(/%.*$/, '').toLowerCase();
  if (!isIPv6(plain)) return null;
  let text = plain;
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const groups = tail === undefined ? front : [...front, ...Array(8 - front.length - back.length).fill('0'), ...back];
  return groups.map((g) => g.padStart(4, '0'));
}

/** The key limits count by: an IPv4 address as it is, an IPv6 address as its /64 network. */
export function clientKey(address: string): string {
  if (isIPv4(address)) return address;
  const groups = ipv6Groups(address);
  if (!groups) return address;
  // IPv4 reached over IPv6 (::ffff:a.b.c.d) is that IPv4 address. So is an IPv4 client behind
  // a NAT64 gateway on the well-known prefix 64:ff9b::/96 (RFC 6052): counted by its /64, every
  // IPv4 user of that gateway would share one key and one another's limits.
  const mapped = groups.slice(0, 5).every((g) => g === '0000') && groups[5] === 'ffff';
  const nat64 = groups[0] === '0064' && groups[1] === 'ff9b' && groups.slice(2, 6).every((g) => g === '0000');
  if (mapped || nat64) {
    const [hi, lo] = [Number.parseInt(groups[6]!, 16), Number.parseInt(groups[7]!, 16)];
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return `${groups.slice(0, 4).join(':')}::/64`;
}
