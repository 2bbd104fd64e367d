import fc from 'fast-check';
import { forbiddenAddressReason, MAX_WEBHOOK_URL_LENGTH, parseWebhookUrl, webhookUrlProblem } from './address-policy';

describe('W7 forbidden addresses', () => {
  it.each([
    ['0.0.0.0', 'unspecified'], ['0.255.255.255', 'unspecified'],
    ['10.0.0.1', 'private'], ['10.255.255.255', 'private'],
    ['100.64.0.0', 'carrier_grade_nat'], ['100.127.255.255', 'carrier_grade_nat'],
    ['100.100.100.200', 'cloud_metadata'],
    ['127.0.0.1', 'loopback'], ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'cloud_metadata'], ['169.254.0.1', 'link_local'],
    ['172.16.0.0', 'private'], ['172.31.255.255', 'private'],
    ['192.0.0.192', 'ietf_protocol_assignment'],
    ['192.0.2.1', 'documentation'], ['198.51.100.7', 'documentation'], ['203.0.113.9', 'documentation'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'benchmarking'], ['198.19.255.255', 'benchmarking'],
    ['224.0.0.1', 'multicast'], ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'], ['255.255.255.254', 'reserved'], ['255.255.255.255', 'broadcast'],
  ])('IPv4 %s is refused as %s', (ip, reason) => {
    expect(forbiddenAddressReason(ip)).toBe(reason);
  });

  it.each([
    '1.1.1.1', '8.8.8.8', '93.184.216.34', '9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0',
    '126.255.255.255', '128.0.0.0', '169.253.255.255', '169.255.0.0', '172.15.255.255', '172.32.0.0',
    '192.167.255.255', '192.169.0.0', '198.17.255.255', '198.20.0.0', '223.255.255.255',
  ])('public IPv4 %s is allowed', (ip) => {
    expect(forbiddenAddressReason(ip)).toBeNull();
  });

  it.each([
    ['::', 'unspecified'], ['::1', 'loopback'], ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fe80::1', 'link_local'], ['fe80::1%eth0', 'link_local'], ['febf:ffff::1', 'link_local'],
    ['fec0::1', 'site_local'], ['fc00::1', 'unique_local'], ['fdff:ffff::1', 'unique_local'],
    ['fd00:ec2::254', 'cloud_metadata'], ['ff02::1', 'multicast'], ['FF05::1:3', 'multicast'],
    ['100::1', 'discard_only'], ['2001::1', 'teredo'], ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'], ['2001:2::1', 'benchmarking'], ['64:ff9b:1::a00:1', 'nat64_local_use'],
    ['1::', 'reserved'], ['fbff::1', 'reserved'], ['4000::1', 'reserved'],
  ])('IPv6 %s is refused as %s', (ip, reason) => {
    expect(forbiddenAddressReason(ip)).toBe(reason);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback (ipv4-mapped 127.0.0.1)'],
    ['::ffff:7f00:1', 'loopback (ipv4-mapped 127.0.0.1)'],
    ['0:0:0:0:0:ffff:7f00:0001', 'loopback (ipv4-mapped 127.0.0.1)'],
    ['::ffff:10.0.0.1', 'private (ipv4-mapped 10.0.0.1)'],
    ['::ffff:a9fe:a9fe', 'cloud_metadata (ipv4-mapped 169.254.169.254)'],
    ['::ffff:0:a00:1', 'private (ipv4-translated 10.0.0.1)'],
    ['::127.0.0.1', 'loopback (ipv4-compatible 127.0.0.1)'],
    ['::a9fe:a9fe', 'cloud_metadata (ipv4-compatible 169.254.169.254)'],
    ['64:ff9b::127.0.0.1', 'loopback (nat64 127.0.0.1)'],
    ['64:ff9b::a9fe:a9fe', 'cloud_metadata (nat64 169.254.169.254)'],
    ['2002:c0a8:0101::1', 'private (6to4 192.168.1.1)'],
  ])('IPv6 %s that embeds a forbidden IPv4 is refused', (ip, reason) => {
    expect(forbiddenAddressReason(ip)).toBe(reason);
  });

  it.each([
    '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8', '::ffff:5db8:d822', '64:ff9b::8.8.8.8', '2002:808:808::1',
  ])('public IPv6 %s is allowed (NAT64 of a public IPv4 too, for IPv6-only hosts)', (ip) => {
    expect(forbiddenAddressReason(ip)).toBeNull();
  });

  it.each(['', 'localhost', 'example.com', '[::1]', '127.1', '0x7f.0.0.1', '010.0.0.1', '1.2.3.4.5', ':::1', 'fe80::1%', null])(
    'anything but an IP literal fails closed: %p',
    (value) => {
      expect(forbiddenAddressReason(value as string)).toBe('not_an_ip_address');
    },
  );

  const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
  const hex = (a: number, b: number) => ((a << 8) | b).toString(16);

  it('property: every IPv6 form that embeds an IPv4 is judged exactly as that IPv4', () => {
    fc.assert(
      fc.property(ipv4, ([a, b, c, d]) => {
        const v4 = `${a}.${b}.${c}.${d}`;
        const forbidden = forbiddenAddressReason(v4) !== null;
        const forms = [`::ffff:${v4}`, `::ffff:${hex(a, b)}:${hex(c, d)}`, `64:ff9b::${v4}`, `64:ff9b::${hex(a, b)}:${hex(c, d)}`, `2002:${hex(a, b)}:${hex(c, d)}::1`];
        for (const form of forms) expect([form, forbiddenAddressReason(form) !== null]).toEqual([form, forbidden]);
      }),
    );
  });

  it('property: global unicast IPv6 outside the named ranges is allowed', () => {
    const first = fc.integer({ min: 0x2000, max: 0x3fff }).filter((g) => g !== 0x2001 && g !== 0x2002 && g !== 0x3fff);
    fc.assert(
      fc.property(first, fc.array(fc.nat(0xffff), { minLength: 7, maxLength: 7 }), (g, rest) => {
        expect(forbiddenAddressReason([g, ...rest].map((x) => x.toString(16)).join(':'))).toBeNull();
      }),
    );
  });
});

describe('W7 B9 webhook URL rules', () => {
  it.each([
    ['http://169.254.169.254/', /https/],
    ['https://169.254.169.254/latest/meta-data/', /cloud_metadata/],
    ['https://127.0.0.1:5432', /loopback/],
    ['https://127.0.0.1/', /loopback/],
    ['https://10.0.0.1/hook', /private/],
    ['https://[::1]/', /loopback/],
    ['https://[::ffff:127.0.0.1]/', /loopback \(ipv4-mapped 127\.0\.0\.1\)/],
    ['https://[::ffff:7f00:1]/', /loopback/],
    ['https://[fe80::1]/', /link_local/],
    ['https://[fd12:3456::1]/', /unique_local/],
    ['https://0x7f000001/', /loopback/],
    ['https://2130706433/', /loopback/],
    ['https://0/', /unspecified/],
    ['https://localhost/', /localhost/],
    ['https://LOCALHOST./', /localhost/],
    ['https://api.localhost:8443/', /localhost/],
    ['https://intranet/hook', /fully qualified/],
    ['https://printer.local/', /private-network/],
    ['https://metadata.google.internal/', /private-network/],
    ['http://partner.example.com/hook', /https/],
  ])('production refuses %s', (url, problem) => {
    expect(webhookUrlProblem(url, true)).toMatch(problem);
  });

  it.each([
    'http://127.0.0.1:4010/hooks', 'http://localhost:3000/', 'http://[::1]:8080/', 'http://10.0.0.1/', 'https://127.0.0.1:5432', 'http://intranet/',
  ])('outside production %s is allowed, so a partner can test on its own machine', (url) => {
    expect(webhookUrlProblem(url, false)).toBeNull();
  });

  it.each(['https://partner.example.com/hooks/fixbid?x=1', 'https://93.184.216.34/hook', 'https://[2606:4700:4700::1111]:8443/', 'https://example.com./'])(
    'production allows the public %s',
    (url) => {
      expect(webhookUrlProblem(url, true)).toBeNull();
    },
  );

  it.each([
    ['', /absolute/], ['/relative/path', /absolute/], ['partner.example.com/hook', /absolute/], ['not a url', /absolute/],
    ['ftp://partner.example.com/', /http or https/], ['file:///etc/passwd', /http or https/], ['javascript:alert(1)', /http or https/],
    ['https://user:pass@partner.example.com/', /credentials/], ['https://user@partner.example.com/', /credentials/],
    [`https://partner.example.com/${'a'.repeat(MAX_WEBHOOK_URL_LENGTH)}`, /2048/],
  ])('refuses %s in and outside production', (url, problem) => {
    expect(webhookUrlProblem(url, true)).toMatch(problem);
    expect(webhookUrlProblem(url, false)).toMatch(problem);
  });

  it('accepts a url of exactly 2048 characters', () => {
    const base = 'https://partner.example.com/';
    expect(webhookUrlProblem(base + 'a'.repeat(MAX_WEBHOOK_URL_LENGTH - base.length), true)).toBeNull();
  });

  it('parseWebhookUrl gives the bare host and says whether it is an IP literal', () => {
    expect(parseWebhookUrl('https://[::1]:8443/x', false)).toMatchObject({ host: '::1', isIpLiteral: true });
    expect(parseWebhookUrl('https://Partner.Example.com./x', true)).toMatchObject({ host: 'partner.example.com', isIpLiteral: false });
    expect(parseWebhookUrl('https://127.0.0.1/', true)).toMatchObject({ host: '127.0.0.1', isIpLiteral: true });
  });
});
