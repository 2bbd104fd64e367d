import { Module } from '@nestjs/common';
import { RequestLifecycle } from './request-lifecycle.service';

/**
 * The request's lifecycle on its own floor: every feature that moves a request (bids, payments,
 * disputes, reviews, requests' own routes) imports this module; it imports none of them.
 */
@Module({
  providers: [RequestLifecycle],
  exports: [RequestLifecycle],
})
export class RequestLifecycleModule {}
