import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { Category } from './category.entity';

@Injectable()
export class CategoriesService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  list(): Promise<Category[]> {
    return this.ds.getRepository(Category).find({ order: { position: 'ASC' } });
  }

  /** Throws 400 `invalid_field` naming `param` when the slug is not a category. */
  async requireExisting(slug: string, param = 'category', em: EntityManager = this.ds.manager): Promise<Category> {
    const found = await em.getRepository(Category).findOneBy({ slug });
    if (!found) throw new DomainError('invalid_field', `Unknown category "${slug}".`, param);
    return found;
  }
}
