import { ApiProperty } from '@nestjs/swagger';
import { Category } from '../category.entity';

export class CategoryResponse {
  @ApiProperty({ example: 'windows' })
  slug!: string;

  @ApiProperty({ example: 'Windows' })
  name!: string;

  static from(category: Category): CategoryResponse {
    return { slug: category.slug, name: category.name };
  }
}
