import { Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The words of every solution ever published (lower case, unaccented), behind a trigram index:
 * a misspelt word of a draft ("pasword", "outlok") finds the word it was meant to be. Only ever
 * added to; a word whose solutions are gone matches nothing, so it does no harm.
 */
@Entity('solution_terms')
@Index('IDX_solution_terms_trigram', { synchronize: false })
export class SolutionTerm {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_solution_terms' })
  term!: string;
}
