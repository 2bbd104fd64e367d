import fc from 'fast-check';
import { acceptableFix, correctable, normalizeText, planSearch, searchTerms, tokenize, tsqueryOf, vocabularyOf, MAX_GROUPS } from './search-plan';
import { isDictionaryTerm, relatedTerms, spellingsOf, SPELLINGS, SYNONYM_SETS } from './synonyms';

describe('search plan: from a customer\'s words to the groups searched', () => {
  it('folds case, width and accents; joins hyphens and apostrophes inside words', () => {
    expect(normalizeText('Résumé ＷＩＦＩ Café')).toBe('resume wifi cafe');
    expect(tokenize("My Wi-Fi doesn't work (since Tuesday)!")).toEqual(['my', 'wifi', 'doesnt', 'work', 'since', 'tuesday']);
    expect(tokenize('e‑mail — naïve, 3D\tprinter')).toEqual(['email', 'naive', '3d', 'printer']);
  });

  it('drops stop words, filler and short numbers; keeps the problem\'s words, first ones first', () => {
    expect(searchTerms('Hi, please help! My printer keeps saying offline since yesterday, need it fixed asap')).toEqual(['printer', 'saying', 'offline', 'asap']);
    expect(searchTerms('windows 10 and office 365')).toEqual(['windows', 'office', '365']);
    expect(searchTerms('the and of it')).toEqual([]);
  });

  it('finds the dictionary\'s phrases, in any word form, and searches a phrase instead of its words', () => {
    expect(searchTerms('after a power cut the thumb drive stopped')).toEqual(['power cut', 'thumb drive']);
    expect(searchTerms('the wifi keeps cutting out')).toEqual(['wifi', 'cutting out']);
    expect(relatedTerms('cutting out')).toContain('disconnect');
  });

  it('caps a long draft at MAX_GROUPS terms', () => {
    const words = Array.from({ length: 80 }, (_, i) => `word${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`);
    expect(searchTerms(words.join(' '))).toHaveLength(MAX_GROUPS);
  });

  it('a group: the word and its spelling fix count in full, the dictionary\'s other words as related', () => {
    const [printer, wifi, typo] = planSearch(['printer', 'wifi', 'pasword'], new Map([['pasword', 'password']]));
    expect(printer.exact).toEqual(['printer']);
    expect(printer.related).toEqual(expect.arrayContaining(['copier', 'scanner']));
    expect(wifi.exact).toEqual(['wifi', 'wi fi']);
    expect(wifi.related).toEqual(expect.arrayContaining(['wireless']));
    expect(typo.exact).toEqual(['pasword', 'password']);
    expect(typo.related).toEqual(expect.arrayContaining(['passcode', 'login']));
    expect(planSearch(['zorblax'])).toEqual([{ word: 'zorblax', exact: ['zorblax'], related: [] }]);
  });

  it('only unknown words of letters are sent for a spelling fix, and only real words come back', () => {
    expect(correctable('pasword')).toBe(true);
    expect(correctable('password')).toBe(false); // the dictionary knows it
    expect(correctable('abc')).toBe(false);
    expect(correctable('win10')).toBe(false);
    expect(acceptableFix('com')).toBe(false);
    expect(acceptableFix('password')).toBe(true);
  });

  it('tsqueries: words OR\'d, phrases followed by <->, null for nothing', () => {
    expect(tsqueryOf(['printer', 'wi fi', 'power on'])).toBe('printer | (wi <-> fi) | (power <-> on)');
    expect(tsqueryOf([])).toBeNull();
  });

  it('nothing a caller types reaches the tsquery syntax: only letters and digits, joined by our operators', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const groups = planSearch(searchTerms(text));
        for (const g of groups) {
          const query = tsqueryOf([...g.exact, ...g.related]);
          if (query === null) continue;
          expect(query.replace(/[()|]| <-> /g, ' ')).toMatch(/^[\p{L}\p{N} ]*$/u);
        }
      }),
    );
  });

  it('a solution\'s vocabulary: its distinct words of three letters or more, no numbers, sorted (one insert order)', () => {
    expect(vocabularyOf('Reset the Wi-Fi adapter; the adapter works on 5 GHz, 2024.')).toEqual(['adapter', 'ghz', 'reset', 'the', 'wifi', 'works']);
  });
});

describe('the synonym dictionary', () => {
  it('every term is written as the tokenizer writes words (lower case, letters and digits, single spaces)', () => {
    for (const term of [...SYNONYM_SETS.flat(), ...SPELLINGS.flat()]) expect(tokenize(term).join(' ')).toBe(term);
  });

  it('is symmetric: each member of a set finds the others', () => {
    for (const set of SYNONYM_SETS) {
      for (const a of set) for (const b of set) if (a !== b) expect(relatedTerms(a)).toContain(b);
    }
  });

  it('knows words in their plural and verb forms', () => {
    expect(isDictionaryTerm('printers')).toBe(true);
    expect(isDictionaryTerm('jammed')).toBe(false);
    expect(relatedTerms('crashing')).toContain('shut down');
    expect(relatedTerms('pictures')).toContain('photo');
  });

  it('spellings of one word are the word itself, not a synonym', () => {
    expect(spellingsOf('wifi')).toEqual(['wi fi']);
    expect(spellingsOf('wi fi')).toEqual(['wifi']);
    expect(spellingsOf('printer')).toEqual([]);
  });
});
