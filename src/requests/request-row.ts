/**
 * The select list of help_requests `alias` that a hot read (src/database/prepared.ts) sends for a
 * RequestResponse: exactly RequestFields, named as the entity names it, so pg's row is
 * the source as it comes (timestamptz → Date, int → number).
 */
export function requestColumns(alias: string): string {
  return [
    `${alias}.id`,
    `${alias}.customer_id AS "customerId"`,
    `${alias}.title`,
    `${alias}.description`,
    `${alias}.category`,
    `${alias}.max_budget_amount AS "maxBudgetAmount"`,
    `${alias}.max_budget_currency AS "maxBudgetCurrency"`,
    `${alias}.urgency`,
    `${alias}.language`,
    `${alias}.status`,
    `${alias}.bid_count AS "bidCount"`,
    `${alias}.accepted_bid_id AS "acceptedBidId"`,
    `${alias}.bidding_closes_at AS "biddingClosesAt"`,
    `${alias}.accepted_at AS "acceptedAt"`,
    `${alias}.funded_at AS "fundedAt"`,
    `${alias}.review_due_at AS "reviewDueAt"`,
    `${alias}.disputed_from AS "disputedFrom"`,
    `${alias}.warranty_days AS "warrantyDays"`,
    `${alias}.warranty_ends_at AS "warrantyEndsAt"`,
    `${alias}.round`,
    `${alias}.reopened_at AS "reopenedAt"`,
    `${alias}.auto_released AS "autoReleased"`,
    `${alias}.created_at AS "createdAt"`,
    `${alias}.updated_at AS "updatedAt"`,
  ].join(', ');
}
