import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { OptionalAuth } from '../common/auth/principal';
import { CategoriesService } from './categories.service';
import { CategoryResponse } from './dto/category.response';

/** A public read: anyone, with no credentials; credentials that are sent are checked (contract §2). */
@ApiTags('categories')
@OptionalAuth()
@ApiSecurity({})
@ApiBearerAuth()
@Controller('v1/categories')
export class CategoriesController {
  constructor(private readonly categories: CategoriesService) {}

  @Get()
  @ApiOkResponse({ type: [CategoryResponse] })
  async list(): Promise<CategoryResponse[]> {
    return (await this.categories.list()).map(CategoryResponse.from);
  }
}
