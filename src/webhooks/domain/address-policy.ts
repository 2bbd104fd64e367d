import { BlockList, isIP } from 'node:net';

/**
 * Where a partner's webhook may point in production (W7, B9): a server must not be talked into
 * posting to our own network, the cloud metadata service or anything else not on the internet.
 * Checked on create and url change (webhookUrlProblem) and again on every address the name
 * resolves to just before connecting (forbiddenAddressReason, used by WebhookSender).
 * Documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20) are
 * refused too: they are never routed on the internet, so no real partner lives there.
 */

type Rule = { reason: string; list: BlockList };

function rules(family: 'ipv4' | 'ipv6', table: ReadonlyArray<readonly [string, string]>): Rule[] {
  return table.map(([cidr, reason]) => {
    const [network, bits] = cidr.split('/');
    const list = new BlockList();
    list.addSubnet(network, Number(bits), family);
    return { reason, list };
  });
}

// First match wins, so the narrow, better-named ranges come before the ranges that hold them.
const IPV4_RULES = rules('ipv4', [
  ['169.254.169.254/32', 'cloud_metadata'],
  ['100.100.100.200/32', 'cloud_metadata'],
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier_grade_nat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link_local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'ietf_protocol_assignment'],
  ['192.0.2.0/24', 'documentation'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
]);

const IPV6_RULES = rules('ipv6', [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['fd00:ec2::254/128', 'cloud_metadata'],
  ['64:ff9b:1::/48', 'nat64_local_use'],
  ['100::/64', 'discard_only'],
  ['2001::/32', 'teredo'],
  ['2001:2::/48', 'benchmarking'],
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['fc00::/7', 'unique_local'],
  ['fe80::/10', 'link_local'],
  ['fec0::/10', 'site_local'],
  ['ff00::/8', 'multicast'],
]);

// Everything outside 2000::/3 is either one of the ranges above or not allocated at all.
const IPV6_GLOBAL_UNICAST = rules('ipv6', [['2000::/3', 'global']])[0].list;

/** The 16 bytes of a valid IPv6 literal (zone id already removed). */
function ipv6Bytes(ip: string): number[] {
  let text = ip;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tail.push(...text.slice(lastColon + 1).split('.').map(Number));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, null];
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = groupsOf(head);
  const right = rest === null ? [] : groupsOf(rest);
  const groups = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

function ipv6Text(bytes: readonly number[]): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return groups.join(':');
}

const startsWith = (bytes: readonly number[], prefix: readonly number[]) => prefix.every((b, i) => bytes[i] === b);
const ZEROS_10 = Array<number>(10).fill(0);

/**
 * Forms that carry an IPv4 address inside an IPv6 one and reach it (mapped, SIIT-translated,
 * deprecated compatible, NAT64's well-known prefix, 6to4): they are judged by that IPv4 address.
 */
function embeddedIpv4(bytes: readonly number[]): { form: string; ipv4: string } | null {
  const last4 = bytes.slice(12, 16).join('.');
  if (startsWith(bytes, [...ZEROS_10, 0xff, 0xff])) return { form: 'ipv4-mapped', ipv4: last4 };
  if (startsWith(bytes, [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0])) return { form: 'ipv4-translated', ipv4: last4 };
  if (startsWith(bytes, [...ZEROS_10, 0, 0])) return { form: 'ipv4-compatible', ipv4: last4 };
  if (startsWith(bytes, [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) return { form: 'nat64', ipv4: last4 };
  if (startsWith(bytes, [0x20, 0x02])) return { form: '6to4', ipv4: bytes.slice(2, 6).join('.') };
  return null;
}

function ipv4Reason(ip: string): string | null {
  return IPV4_RULES.find((rule) => rule.list.check(ip, 'ipv4'))?.reason ?? null;
}

function ipv6Reason(ip: string): string | null {
  const bytes = ipv6Bytes(ip);
  const canonical = ipv6Text(bytes);
  const named = IPV6_RULES.find((rule) => rule.list.check(canonical, 'ipv6'));
  if (named) return named.reason;
  const embedded = embeddedIpv4(bytes);
  if (embedded) {
    const inner = ipv4Reason(embedded.ipv4);
    return inner === null ? null : `${inner} (${embedded.form} ${embedded.ipv4})`;
  }
  return IPV6_GLOBAL_UNICAST.check(canonical, 'ipv6') ? null : 'reserved';
}

/**
 * Why an IP literal may not receive webhooks in production (e.g. `loopback`, `private`,
 * `cloud_metadata`, `loopback (ipv4-mapped 127.0.0.1)`), or null when it is a public address.
 * Anything that is not an IP literal is refused, so a caller's mistake fails closed.
 */
export function forbiddenAddressReason(ip: string): string | null {
  if (typeof ip !== 'string') return 'not_an_ip_address';
  switch (isIP(ip)) {
    case 4: return ipv4Reason(ip);
    // A zone id (fe80::1%eth0) only scopes the address; the address itself is judged.
    case 6: return ipv6Reason(ip.split('%')[0]);
    default: return 'not_an_ip_address';
  }
}

export const MAX_WEBHOOK_URL_LENGTH = 2048;

export interface WebhookTarget {
  url: URL;
  /** The host without IPv6 brackets or a trailing dot, lower case. */
  host: string;
  /** True when the host is an IP literal (no DNS lookup happens for it). */
  isIpLiteral: boolean;
}

/**
 * Every rule except the address check of an IP literal host, which the sender reports as a
 * refused address like a resolved one. Production hosts must be internet names: `localhost`,
 * single-label names and the `.local`/`.internal` suffixes only resolve inside a private network.
 */
export function parseWebhookUrl(url: string, production: boolean): WebhookTarget | { problem: string } {
  if (typeof url !== 'string' || url.length === 0) return { problem: 'url must be an absolute http(s) URL' };
  if (url.length > MAX_WEBHOOK_URL_LENGTH) return { problem: `url must be at most ${MAX_WEBHOOK_URL_LENGTH} characters` };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: 'url must be an absolute http(s) URL' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return { problem: 'url must use http or https' };
  if (production && parsed.protocol !== 'https:') return { problem: 'url must use https in production' };
  if (parsed.username !== '' || parsed.password !== '') return { problem: 'url must not contain credentials' };
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
  if (host === '') return { problem: 'url must name a host' };
  const isIpLiteral = isIP(host) !== 0;
  if (production && !isIpLiteral) {
    if (host === 'localhost' || host.endsWith('.localhost')) return { problem: 'url must not point at localhost in production' };
    if (!host.includes('.')) return { problem: 'url must use a fully qualified host name in production' };
    if (host.endsWith('.local') || host.endsWith('.internal')) return { problem: 'url must not use a private-network host name in production' };
  }
  return { url: parsed, host, isIpLiteral };
}

/** Null when the url may be stored for a webhook endpoint, else the problem in words (400 `invalid_field`). */
export function webhookUrlProblem(url: string, production: boolean): string | null {
  const target = parseWebhookUrl(url, production);
  if ('problem' in target) return target.problem;
  if (production && target.isIpLiteral) {
    const reason = forbiddenAddressReason(target.host);
    if (reason !== null) return `url must not point at a non-public address in production: ${reason}`;
  }
  return null;
}
