import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Page as PageResponse } from './keyset';

const pageClasses = new Map<Type<unknown>, Type<PageResponse<unknown>>>();

/** The OpenAPI shape of a list: `@ApiOkResponse({ type: PageOf(RequestResponse) })`. */
export function PageOf<T>(item: Type<T>): Type<PageResponse<T>> {
  const known = pageClasses.get(item);
  if (known) return known as Type<PageResponse<T>>;
  class Page implements PageResponse<T> {
    @ApiProperty({ type: [item] })
    data!: T[];

    @ApiProperty()
    hasMore!: boolean;

    @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` to get the next page; null on the last.' })
    nextCursor!: string | null;
  }
  Object.defineProperty(Page, 'name', { value: `${item.name}Page` });
  pageClasses.set(item, Page as Type<PageResponse<unknown>>);
  return Page;
}
