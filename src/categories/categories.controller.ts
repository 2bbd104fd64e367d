import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PublicRead } from '../common/rate-limit/public-read.decorator';
import { CategoriesService } from './categories.service';
import { CategoryResponse } from './dto/category.response';

/** A public read: anyone, with no credentials; credentials that are sent are checked (contract §2). */
@ApiTags('categories')
@PublicRead()
@Controller('v1/categories')
export class CategoriesController {
  constructor(private readonly categories: CategoriesService) {}

  @Get()
  @ApiOkResponse({ type: [CategoryResponse] })
  async list(): Promise<CategoryResponse[]> {
    return (await this.categories.list()).map(CategoryResponse.from);
  }
}
