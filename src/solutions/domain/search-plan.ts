/**
 * How a customer's words become a knowledge-base search (README "Knowledge base"). Pure: the
 * SQL in src/solutions runs the plan this builds. A draft is cut into words; words that say
 * nothing about the problem ("help", "please", "stopped working") are dropped; each remaining word
 * becomes a group: the word itself (and its spelling fix, when the database found one) counts in
 * full, other words for the same thing (synonyms.ts) count at RANKING.related. A solution scores
 * per group by where the group matches — title above summary above category — and, for drafts,
 * by how rare the group is among published solutions.
 */
import { isDictionaryTerm, LONGEST_PHRASE, relatedTerms, spellingsOf } from './synonyms';

/** PostgreSQL's English stop words (tsearch_data/english.stop), plus the halves of contractions. */
const STOP_WORDS = new Set(
  `i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its itself
   they them their theirs themselves what which who whom this that these those am is are was were be been being have has had
   having do does did doing a an the and but if or because as until while of at by for with about against between into through
   during before after above below to from up down in out on off over under again further then once here there when where why
   how all any both each few more most other some such no nor not only own same so than too very s t can will just don should now
   im ive id ill youre thats theres its isnt arent wasnt werent dont doesnt didnt cant couldnt wont wouldnt shouldnt hasnt havent`.split(/\s+/),
);

/**
 * Words customers use around any problem: asking, trying, time, and "not working". They would
 * match every solution that happens to say "work" or "fix" and push the real ones down.
 */
const FILLER_WORDS = new Set(
  `help helps please problem problems issue issues fix fixed fixing need needs needed want wants trying tried try tries work works
   working worked thing things something anything everything stuff keep keeps kept get gets getting got make makes made way still
   really just anymore since today yesterday ago suddenly randomly thanks thank hi hello hey anyone someone somebody know idea
   ideas sure like also even much lot lots bit able unable seems seem seemed tell tells told say says said stopped
   ok okay well actually basically literally maybe probably possible could would might must shall let lets go goes going gone
   day days week weeks month months hour hours minute minutes second seconds time times long lately recently always never
   sometimes often constantly whole half every people guy man woman super extremely totally completely pretty quite`.split(/\s+/),
);

/** At most this many groups per search: a pasted description is cut, the title (first) kept. */
export const MAX_GROUPS = 32;
/** Words shorter than this are ignored, and numbers shorter than NUMBER_MIN ("10" in "windows 10" is too common to tell). */
const WORD_MIN = 2;
const NUMBER_MIN = 3;
const WORD_MAX = 40;

/** Where a match counts and how much (a list's points per solution: the sum over groups × 100, rounded). */
export const RANKING = {
  /** A group matching the solution's title (the customer's own words of the problem). */
  title: 1.0,
  /** ...its summary (the expert's words of the fix). */
  summary: 0.4,
  /** ...its category's name. */
  category: 0.2,
  /** A match through another word for the same thing counts this much of a direct one. */
  related: 0.7,
} as const;

/**
 * A spelling fix must be at least this similar (pg_trgm similarity) to the word typed: typical
 * slips score 0.6–0.7 ("pasword"/"password" 0.70, "excell"/"excel" 0.63), while a real word the
 * solutions happen not to use scores lower against its neighbours ("reconnect"/"connect" 0.50).
 */
export const CORRECTION_MIN_SIMILARITY = 0.55;
/** Only words at least this long are corrected: short ones are too close to too many. */
export const CORRECTION_MIN_LENGTH = 4;

/** One word of the search and what stands for it. */
export interface TermGroup {
  /** The word as the customer typed it, normalised. */
  readonly word: string;
  /** Count in full: the word, and its spelling fix. */
  readonly exact: readonly string[];
  /** Count at RANKING.related: other words for the same thing (a term with a space is a phrase). */
  readonly related: readonly string[];
}

/** Lower case, accents folded, NFKC ("Ｗｉ‑Ｆｉ" → "wi-fi", "résumé" → "resume"). */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .normalize('NFKC')
    .toLowerCase();
}

/**
 * Every word of a text, in order: apostrophes and hyphens inside a word join it ("don't" →
 * "dont", "wi-fi" → "wifi"), anything else that is not a letter or digit separates.
 */
export function tokenize(text: string): string[] {
  return normalizeText(text)
    .replace(/([\p{L}\p{N}])['’‐‑-]+(?=[\p{L}\p{N}])/gu, '$1')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0 && w.length <= WORD_MAX);
}

/** Whether a word says something about the problem. */
export function isContentWord(word: string): boolean {
  if (word.length < WORD_MIN || STOP_WORDS.has(word) || FILLER_WORDS.has(word)) return false;
  return !/^\p{N}+$/u.test(word) || word.length >= NUMBER_MIN;
}

/**
 * What a draft or query is searched for, first ones first, at most MAX_GROUPS: the dictionary's
 * phrases it contains ("thumb drive", "power cut"), longest first, and its other content words,
 * each once. A phrase stands for its words: "power cut" is not also searched as "power" and "cut".
 */
export function searchTerms(text: string): string[] {
  const tokens = tokenize(text);
  const terms: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    let n = Math.min(LONGEST_PHRASE, tokens.length - i);
    while (n >= 2 && !isDictionaryTerm(tokens.slice(i, i + n).join(' '))) n--;
    if (n >= 2) terms.push(tokens.slice(i, i + n).join(' '));
    else if (isContentWord(tokens[i])) terms.push(tokens[i]);
    i += Math.max(n, 1);
  }
  return [...new Set(terms)].slice(0, MAX_GROUPS);
}

/** The words a published solution adds to the spelling list (solution_terms). */
export function vocabularyOf(text: string): string[] {
  return [...new Set(tokenize(text).filter((w) => w.length >= 3 && !/^\p{N}+$/u.test(w)))].sort();
}

/** Words the spelling list is asked about: long enough, letters only, and not known to the dictionary. */
export function correctable(word: string): boolean {
  return acceptableFix(word) && !isDictionaryTerm(word);
}

/** A fix the spelling list may give: a word, long enough ("come" is not fixed into "com"). */
export function acceptableFix(word: string): boolean {
  return word.length >= CORRECTION_MIN_LENGTH && /^\p{L}+$/u.test(word);
}

/**
 * The groups of a search, one per term (searchTerms). `corrections` maps a word to the known
 * word it most likely meant (found by trigram similarity in the database); the fix counts as the
 * word itself, and brings its own synonyms.
 */
export function planSearch(terms: readonly string[], corrections: ReadonlyMap<string, string> = new Map()): TermGroup[] {
  return terms.map((word) => {
    const fix = corrections.get(word);
    const typed = fix && fix !== word ? [word, fix] : [word];
    const exact = [...new Set(typed.flatMap((w) => [w, ...spellingsOf(w)]))];
    const related = [...new Set(exact.flatMap((w) => relatedTerms(w)))].filter((t) => !exact.includes(t));
    return { word, exact, related };
  });
}

/**
 * A tsquery (for to_tsquery) matching any of the terms: words OR'd, a term with spaces as a
 * phrase. Terms come from tokenize() or the dictionary — letters and digits only — so nothing a
 * caller types can reach the tsquery syntax. Null when there is nothing to match.
 */
export function tsqueryOf(terms: readonly string[]): string | null {
  const parts = terms
    .map((term) => term.split(' ').filter((w) => /^[\p{L}\p{N}]+$/u.test(w)))
    .filter((words) => words.length > 0)
    .map((words) => (words.length === 1 ? words[0] : `(${words.join(' <-> ')})`));
  return parts.length ? parts.join(' | ') : null;
}
