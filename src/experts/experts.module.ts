import { Module } from '@nestjs/common';
import { MatchingModule } from '../matching/matching.module';
import { ExpertsController } from './experts.controller';
import { ExpertsService } from './experts.service';
import { ReputationService } from './reputation.service';

@Module({
  imports: [MatchingModule],
  controllers: [ExpertsController],
  providers: [ExpertsService, ReputationService],
  exports: [ExpertsService, ReputationService],
})
export class ExpertsModule {}
