import { Module } from '@nestjs/common';
import { CategoriesModule } from '../categories/categories.module';
import { ExpertsModule } from '../experts/experts.module';
import { RequestLifecycleModule } from '../requests/request-lifecycle.module';
import { SolutionPublishingService } from './solution-publishing.service';
import { SolutionQueriesService } from './solution-queries.service';
import { SolutionVotesService } from './solution-votes.service';
import { AdminSolutionsController } from './admin-solutions.controller';
import { SolutionsController } from './solutions.controller';

/**
 * The public knowledge base: published solutions, their search, publishing and votes. Reviews
 * import it to publish at review time; it imports no feature above the request's lifecycle.
 */
@Module({
  imports: [CategoriesModule, RequestLifecycleModule, ExpertsModule],
  controllers: [SolutionsController, AdminSolutionsController],
  providers: [SolutionQueriesService, SolutionPublishingService, SolutionVotesService],
  exports: [SolutionPublishingService],
})
export class SolutionsModule {}
