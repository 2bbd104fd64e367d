/**
 * Word lists the seed builds titles, descriptions and profiles from, so full-text search has
 * realistic vocabulary to chew on: each category has its own subjects and symptoms, and a
 * shared pool of generic words ("slow", "error", "after update") spreads across all of them.
 */

/** The 15 category slugs (migrations/*-Categories.ts), in their order. */
export const CATEGORY_SLUGS = [
  'windows',
  'macos',
  'linux',
  'office',
  'email',
  'networking',
  'printers',
  'mobile',
  'security',
  'data-recovery',
  'web-development',
  'databases',
  'cloud',
  'gaming',
  'smart-home',
] as const;

/** Per category (same order as CATEGORY_SLUGS): what breaks. */
export const SUBJECTS: readonly (readonly string[])[] = [
  ['Windows 11 laptop', 'Windows update', 'start menu', 'blue screen', 'device manager', 'BitLocker recovery', 'taskbar', 'Windows Defender'],
  ['MacBook Pro', 'Time Machine backup', 'Finder', 'macOS Sonoma upgrade', 'iCloud keychain', 'Spotlight index', 'Mac mini', 'FileVault'],
  ['Ubuntu server', 'systemd service', 'GRUB bootloader', 'Debian package', 'nginx reverse proxy', 'cron job', 'ssh key login', 'Docker container'],
  ['Excel spreadsheet', 'Word document', 'PowerPoint deck', 'Outlook calendar', 'Teams meeting', 'OneDrive sync', 'Excel macro', 'pivot table'],
  ['Outlook inbox', 'Gmail account', 'IMAP mailbox', 'SMTP relay', 'email signature', 'spam filter', 'shared mailbox', 'DKIM record'],
  ['home wifi', 'mesh router', 'VPN tunnel', 'office network switch', 'DNS resolution', 'port forwarding', 'ethernet adapter', 'wifi extender'],
  ['HP printer', 'Brother laser printer', 'network scanner', 'Canon inkjet', 'print spooler', 'label printer', 'duplex printing', 'scan to email'],
  ['iPhone', 'Android phone', 'iPad', 'Samsung Galaxy', 'phone backup', 'mobile hotspot', 'Bluetooth pairing', 'app store account'],
  ['ransomware warning', 'phishing email', 'malware infection', 'antivirus scan', 'hacked account', 'two-factor login', 'firewall rules', 'password manager'],
  ['external hard drive', 'deleted photos', 'corrupted SD card', 'RAID array', 'USB stick', 'formatted partition', 'failing SSD', 'lost documents'],
  ['WordPress site', 'React app', 'Node.js API', 'Shopify theme', 'CSS layout', 'SSL certificate', 'contact form', 'website hosting'],
  ['PostgreSQL database', 'MySQL server', 'SQL query', 'database backup', 'Access database', 'slow query', 'index migration', 'replication lag'],
  ['AWS account', 'Azure subscription', 'Google Workspace', 'S3 bucket', 'cloud storage', 'Dropbox sync', 'Kubernetes cluster', 'cloud invoice'],
  ['gaming PC', 'graphics card', 'Steam library', 'PlayStation', 'Xbox controller', 'game server', 'frame rate', 'Nintendo Switch'],
  ['smart thermostat', 'Home Assistant', 'Philips Hue lights', 'smart doorbell', 'Alexa routine', 'Zigbee hub', 'security camera', 'smart lock'],
];

/** What the subject does wrong: generic, so these words appear across categories. */
export const SYMPTOMS = [
  'keeps crashing',
  'is very slow',
  'will not start',
  'shows an error',
  'stopped working after update',
  'freezes randomly',
  'disconnects every few minutes',
  'asks for a password again and again',
  'is missing files',
  'fails to sync',
  'overheats and shuts down',
  'cannot connect',
] as const;

export const CONTEXT_SENTENCES = [
  'It started yesterday after I installed the latest update.',
  'I already tried restarting everything twice.',
  'This is urgent because I need it for work tomorrow morning.',
  'The error message mentions a timeout and a missing driver.',
  'Our small office has five people who depend on this.',
  'I am not very technical so please explain the steps.',
  'A remote session over screen sharing would be ideal.',
  'The problem appears only on the second monitor.',
  'The previous contractor left no documentation.',
  'Customer support from the vendor could not help.',
  'It worked fine for months before this week.',
  'I can provide logs and screenshots of the error.',
] as const;

export const HEADLINES = [
  'Certified support engineer',
  'Senior systems administrator',
  'Friendly home IT helper',
  'Network and security consultant',
  'Full-stack developer',
  'Data recovery specialist',
  'Cloud architect',
  'Help desk veteran',
] as const;

export const BIO_SENTENCES = [
  'Ten years of fixing computers for families and small businesses.',
  'I explain every step and leave written notes behind.',
  'Fast remote sessions, usually solved within the hour.',
  'Certified by Microsoft, Apple and Cisco.',
  'I specialise in slow machines, crashes and stubborn updates.',
  'Available evenings and weekends across European time zones.',
] as const;

/**
 * Search terms the benchmark rotates, roughly how people search: mostly a product or subject
 * (each in 1–5% of requests), some generic symptoms (7–10%: "slow", "crash", "password").
 */
export const SEARCH_TERMS = [
  'printer',
  'wifi',
  'outlook',
  'excel',
  'macbook',
  'ubuntu',
  'iphone',
  'ransomware',
  'wordpress',
  'postgresql',
  'router',
  'vpn',
  'thermostat',
  'graphics card',
  'deleted photos',
  'time machine backup',
  'slow',
  'crash',
  'password',
  'sync error',
] as const;

/** A SQL array literal (ARRAY['a','b']) of a word list; the lists hold no quotes. */
export function sqlArray(words: readonly string[]): string {
  return `ARRAY[${words.map((w) => `'${w.replace(/'/g, "''")}'`).join(',')}]::text[]`;
}
