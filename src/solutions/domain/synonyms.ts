/**
 * Other words for the same thing, as customers and experts say them. Each set's members stand
 * for one another (a term with a space is a phrase, matched in the customer's text word by word).
 * Kept general: everyday words for devices, symptoms and actions beside the trade's words for
 * them — not the words of particular solutions. A word in several sets gets all of them.
 */
export const SYNONYM_SETS: readonly (readonly string[])[] = [
  // devices
  ['computer', 'pc', 'laptop', 'desktop', 'notebook'],
  ['mac', 'macbook', 'imac', 'macos', 'apple computer'],
  ['phone', 'smartphone', 'mobile', 'cellphone', 'iphone', 'android'],
  ['iphone', 'ios', 'apple'],
  ['android', 'samsung', 'galaxy', 'pixel'],
  ['screen', 'monitor', 'display'],
  ['printer', 'copier', 'multifunction', 'scanner'],
  ['drive', 'disk', 'hdd', 'ssd', 'hard drive'],
  ['usb stick', 'flash drive', 'thumb drive', 'pen drive', 'usb drive', 'memory stick'],
  ['memory card', 'sd card', 'camera card'],
  ['router', 'modem', 'access point'],
  ['headphones', 'headset', 'earphones', 'earbuds'],
  ['microphone', 'mic'],
  ['camera', 'webcam'],
  ['echo', 'alexa', 'echo dot'],
  ['bulb', 'light', 'lamp'],
  ['controller', 'gamepad', 'joypad', 'joystick', 'dualsense'],
  ['playstation', 'ps5', 'ps4'],
  ['console', 'xbox', 'playstation'],
  ['motherboard', 'mainboard', 'main board', 'logic board'],
  ['graphics card', 'gpu', 'video card', 'nvidia', 'radeon'],
  ['mouse', 'pointer', 'cursor', 'arrow'],
  ['taskbar', 'start menu', 'desktop icons', 'explorer'],
  ['thermostat', 'heating', 'nest'],
  ['doorbell', 'video doorbell', 'door camera'],
  ['server', 'vps', 'linux box'],
  ['ubuntu', 'linux', 'debian', 'mint', 'fedora'],
  // connections
  ['wifi', 'wi fi', 'wireless', 'wlan'],
  ['internet', 'online', 'connection', 'broadband'],
  ['network', 'lan', 'intranet'],
  ['vpn', 'company network', 'remote access'],
  ['signal', 'coverage', 'reception', 'range', 'reach'],
  ['disconnect', 'drop', 'cut out', 'cutting out', 'drops out'],
  ['ethernet', 'cable', 'wired'],
  ['cord', 'cable', 'lead', 'charger'],
  ['ssh', 'terminal', 'remote login', 'putty'],
  ['pair', 'pairing', 'link'],
  // symptoms
  ['slow', 'sluggish', 'crawl', 'crawling', 'lag', 'laggy', 'forever', 'ages'],
  ['stutter', 'choppy', 'lag', 'jerky'],
  ['freeze', 'frozen', 'hang', 'unresponsive'],
  ['crash', 'shut down', 'closes', 'quits'],
  ['blue screen', 'bsod', 'stop code', 'bugcheck'],
  ['blank', 'empty', 'white screen', 'black screen'],
  ['noise', 'clicking', 'ticking', 'grinding', 'beeping'],
  ['dead', 'no power', 'not turning on'],
  ['offline', 'not available', 'unavailable', 'not responding'],
  ['error', 'fault', 'failure'],
  ['hacked', 'compromised', 'breached', 'hijacked'],
  ['virus', 'malware', 'infected', 'adware', 'spyware', 'trojan'],
  ['ads', 'adverts', 'advertisements', 'pop ups', 'popups', 'adware'],
  ['scam', 'scammer', 'fraud', 'fake'],
  ['spam', 'junk'],
  ['bounce', 'bounced', 'undeliverable', 'rejected'],
  ['stolen', 'lost', 'missing'],
  ['lines', 'streaks', 'stripes', 'banding'],
  ['faded', 'washed out', 'pale'],
  ['ink', 'cartridge', 'toner'],
  ['power cut', 'power outage', 'blackout', 'power loss', 'power failure'],
  // storage and files
  ['space', 'storage', 'room', 'capacity', 'quota'],
  ['memory', 'ram'],
  ['delete', 'erase', 'remove', 'wipe'],
  ['format', 'formatting', 'erase', 'wipe'],
  ['recover', 'restore', 'undelete', 'retrieve', 'get back'],
  ['backup', 'back up', 'backups'],
  ['trash', 'recycle bin', 'bin', 'deleted items'],
  ['photo', 'picture', 'pic', 'image'],
  ['contacts', 'address book'],
  ['transfer', 'move', 'migrate', 'switch', 'copy across'],
  ['sync', 'upload', 'uploading'],
  ['shared folder', 'team folder', 'shared drive'],
  ['cloud', 'online storage', 'onedrive', 'dropbox', 'google drive', 'icloud'],
  // accounts and security
  ['password', 'passcode', 'passphrase', 'pin', 'credentials', 'login'],
  ['login', 'log in', 'sign in', 'signin', 'logon'],
  ['two factor', '2fa', 'two step', 'verification code', 'authenticator'],
  ['icloud', 'apple id'],
  ['safe', 'secure', 'padlock', 'https', 'certificate', 'ssl'],
  ['licence', 'license', 'licensed', 'unlicensed', 'activation', 'activate', 'product key'],
  ['second hand', 'secondhand', 'used', 'refurbished', 'pre owned'],
  // actions and software
  ['update', 'upgrade', 'patch'],
  ['install', 'set up', 'setup'],
  ['start', 'boot', 'startup', 'turn on', 'power on', 'switch on'],
  ['restart', 'reboot'],
  ['grub', 'boot menu', 'boot loader', 'bootloader', 'boot manager'],
  ['email', 'e mail', 'mail', 'inbox', 'mailbox'],
  ['spreadsheet', 'excel', 'workbook', 'sheet'],
  ['document', 'doc', 'file'],
  ['total', 'sum', 'add up', 'adding up', 'formula'],
  ['video call', 'meeting', 'conference call', 'teams', 'zoom'],
  ['hear', 'sound', 'audio', 'volume'],
  ['plugin', 'extension', 'add on', 'addon', 'add in'],
  ['website', 'site', 'webpage', 'web page'],
  ['shop', 'store', 'ecommerce', 'online shop', 'webshop'],
  ['domain', 'web address', 'domain name'],
  ['form', 'contact form', 'web form'],
  ['database', 'db', 'mysql', 'postgres', 'postgresql', 'sql'],
  ['report', 'query'],
  ['aws', 'amazon web services', 'amazon cloud', 'ec2'],
  ['bill', 'invoice', 'charges', 'cost'],
  ['fps', 'frame rate', 'framerate', 'frames'],
  ['party', 'join', 'multiplayer'],
  ['live view', 'live video', 'live feed', 'livestream'],
];

/**
 * One word written apart, joined or hyphenated ("wi-fi" is "wi fi" to the search): these count
 * as the word itself, not as another word for it.
 */
export const SPELLINGS: readonly (readonly string[])[] = [
  ['wifi', 'wi fi'],
  ['email', 'e mail'],
  ['login', 'log in'],
  ['signin', 'sign in'],
  ['setup', 'set up'],
  ['startup', 'start up'],
  ['backup', 'back up'],
  ['popup', 'pop up'],
  ['addon', 'add on'],
  ['webpage', 'web page'],
  ['ecommerce', 'e commerce'],
  ['online', 'on line'],
  ['secondhand', 'second hand'],
  ['framerate', 'frame rate'],
  ['livestream', 'live stream'],
  ['bootloader', 'boot loader'],
];

const SETS_OF = new Map<string, Set<string>>();
for (const set of SYNONYM_SETS) {
  for (const term of set) {
    const known = SETS_OF.get(term) ?? new Set<string>();
    for (const other of set) if (other !== term) known.add(other);
    SETS_OF.set(term, known);
  }
}

const SPELLINGS_OF = new Map<string, string[]>();
for (const set of SPELLINGS) for (const term of set) SPELLINGS_OF.set(term, set.filter((t) => t !== term));

/** The longest phrase the dictionary holds, in words. */
export const LONGEST_PHRASE = Math.max(...[...SETS_OF.keys(), ...SPELLINGS_OF.keys()].map((t) => t.split(' ').length));

/** A word, then the word without a plural or verb ending ("cutting" → "cut"): the dictionary lists base forms. */
function wordForms(word: string): string[] {
  const out = [word];
  const stem = (cut: number) => {
    const base = word.slice(0, -cut);
    out.push(base);
    // A doubled final consonant is the ending's: "cutting" → "cut", "jammed" → "jam".
    if (/([b-df-hj-np-tv-z])\1$/.test(base)) out.push(base.slice(0, -1));
  };
  if (word.length > 4 && word.endsWith('ies')) out.push(`${word.slice(0, -3)}y`);
  if (word.length > 4 && word.endsWith('es')) out.push(word.slice(0, -2));
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) out.push(word.slice(0, -1));
  if (word.length > 5 && word.endsWith('ing')) {
    stem(3);
    out.push(`${word.slice(0, -3)}e`);
  }
  if (word.length > 4 && word.endsWith('ed')) {
    stem(2);
    out.push(word.slice(0, -1));
  }
  return out;
}

/** Every way to read a term with its words in base form ("cutting out" → "cut out", ...), the term itself first. */
function forms(term: string): string[] {
  return term
    .split(' ')
    .map(wordForms)
    .reduce<string[]>((phrases, options) => phrases.flatMap((p) => options.map((o) => (p ? `${p} ${o}` : o))), ['']);
}

const known = (term: string) => SETS_OF.has(term) || SPELLINGS_OF.has(term);

/** The form of `term` the dictionary holds, if any. */
function dictionaryForm(term: string): string | undefined {
  return forms(term).find(known);
}

/** Whether the dictionary holds this word or phrase (in some form). */
export function isDictionaryTerm(term: string): boolean {
  return dictionaryForm(term) !== undefined;
}

/** Other spellings of the same word ("wifi" → "wi fi"), which count as the word itself. */
export function spellingsOf(term: string): string[] {
  const form = dictionaryForm(term);
  return form ? [...(form === term ? [] : [form]), ...(SPELLINGS_OF.get(form) ?? [])] : [];
}

/** Other words for `term` (none when the dictionary does not know it). */
export function relatedTerms(term: string): string[] {
  const form = dictionaryForm(term);
  const set = form ? SETS_OF.get(form) : undefined;
  return set ? [...set].filter((t) => t !== term) : [];
}
