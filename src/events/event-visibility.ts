/**
 * The SQL forms of domain/event-audience.ts's rules, shared by GET /v1/events and the webhook
 * fan-out so a partner's feed and its webhooks carry the same events. `e` is the events row,
 * `cu` the request's customer (users), `partner` the SQL expression of the partner's id.
 */
export function partnerReadsEventSql(e: string, cu: string, partner: string): string {
  return `((${cu}.partner_id = ${partner} AND ${e}.type NOT LIKE 'payout.%')
       OR EXISTS (SELECT 1 FROM users xu WHERE xu.id = ${e}.expert_id AND xu.partner_id = ${partner})
       OR (${e}.type LIKE 'request.%' AND EXISTS (SELECT 1 FROM bids b JOIN users bu ON bu.id = b.expert_id WHERE b.request_id = ${e}.request_id AND bu.partner_id = ${partner})))`;
}

/** Which view a partner gets: its customer's when the request is its customer's, else its expert's. */
export function partnerAudienceSql(cu: string, partner: string): string {
  return `CASE WHEN ${cu}.partner_id = ${partner} THEN 'customer' ELSE 'expert' END`;
}
