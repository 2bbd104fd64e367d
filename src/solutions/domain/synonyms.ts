/**
 * Other words for the same thing, as customers and experts say them. Each set's members stand
 * for one another (a term with a space is a phrase). Kept small and general: everyday words for
 * devices, symptoms and actions on one side, the trade's words on the other.
 */
export const SYNONYM_SETS: readonly (readonly string[])[] = [];

const SETS_OF = new Map<string, Set<string>>();
for (const set of SYNONYM_SETS) {
  for (const term of set) {
    const known = SETS_OF.get(term) ?? new Set<string>();
    for (const other of set) if (other !== term) known.add(other);
    SETS_OF.set(term, known);
  }
}

/** The word, then the word without a plural or verb ending: the dictionary lists base forms. */
function forms(word: string): string[] {
  const out = [word];
  if (word.length > 4 && word.endsWith('ies')) out.push(`${word.slice(0, -3)}y`);
  if (word.length > 4 && word.endsWith('es')) out.push(word.slice(0, -2));
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) out.push(word.slice(0, -1));
  if (word.length > 5 && word.endsWith('ing')) out.push(word.slice(0, -3), `${word.slice(0, -3)}e`);
  if (word.length > 4 && word.endsWith('ed')) out.push(word.slice(0, -2), word.slice(0, -1));
  return out;
}

/** Other words for `word` (none when the dictionary does not know it). */
export function relatedTerms(word: string): string[] {
  for (const form of forms(word)) {
    const set = SETS_OF.get(form);
    if (set) return [...set].filter((t) => t !== word);
  }
  return [];
}

/** Every single word the dictionary knows (the spelling fix leaves these alone). */
export function dictionaryWords(): ReadonlySet<string> {
  return new Set([...SETS_OF.keys()].filter((t) => !t.includes(' ')));
}
