import { Module } from '@nestjs/common';
import { ExpertFeedService } from './expert-feed.service';
import { MatchingService } from './matching.service';
import { RequestMatchesController } from './request-matches.controller';
import { RequestMatchesService } from './request-matches.service';

/** Scoring experts against requests (MatchingService, used by requests and experts) and reading the pairings. */
@Module({
  controllers: [RequestMatchesController],
  providers: [MatchingService, ExpertFeedService, RequestMatchesService],
  exports: [MatchingService, ExpertFeedService],
})
export class MatchingModule {}
