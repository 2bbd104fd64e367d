import { FREE_TEXT } from '../../src/common/http/free-text';
import {
  appBodyRoutes,
  BodyRoute,
  bodyClassesByRoute,
  bodyWith,
  constraintsOf,
  everyKindOfCaller,
  validatedClassesByName,
  validatedProperties,
  withField,
} from '../support/body-fields';
import { createProfile, placeBid, postRequest, registerUser, validBid, validRequest } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Input rules that hold for every field of every body (V6), generated from the running app's
 * OpenAPI document: a field added to any DTO is covered here without editing this file.
 */
describe('every body field (V6)', () => {
  let t: TestApp;
  let routes: BodyRoute[];
  let send: Awaited<ReturnType<typeof everyKindOfCaller>>['send'];

  beforeAll(async () => {
    t = await createTestApp();
    routes = appBodyRoutes(t);
    ({ send } = await everyKindOfCaller(t));
  });
  afterAll(() => t.close());

  it('the route table is complete: every body DTO of every route is documented, with every field it validates', () => {
    const documented = new Map(routes.map((r) => [r.key, r]));
    const classes = validatedClassesByName();
    const problems: string[] = [];
    for (const [key, type] of bodyClassesByRoute(t.app)) {
      if (validatedProperties(type).length === 0) continue; // a body with no fields (payout-account POSTs)
      const route = documented.get(key);
      if (!route) problems.push(`${key}: body ${type.name} is not in the document`);
      else if (route.schemaName !== type.name) problems.push(`${key}: documented as ${route.schemaName}, validated as ${type.name}`);
    }
    for (const route of routes) {
      for (const owner of new Set([route.schemaName, ...route.fields.map((f) => f.owner)])) {
        const type = classes.get(owner);
        if (!type) {
          problems.push(`${route.key}: no validated class named ${owner}`);
          continue;
        }
        const fields = route.fields.filter((f) => f.owner === owner).map((f) => f.path.at(-1)!).sort();
        if (JSON.stringify(fields) !== JSON.stringify(validatedProperties(type))) {
          problems.push(`${route.key}: ${owner} documents [${fields.join(', ')}] but validates [${validatedProperties(type).join(', ')}]`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(routes.length).toBeGreaterThanOrEqual(15);
  });

  it('V6 null in any field of any body → 400 invalid_field naming the field (except the one documented nullable)', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const route of routes) {
      for (const field of route.fields) {
        const res = await send(route.method, route.url, bodyWith(field.path, null));
        checked += 1;
        if (field.schema.nullable) {
          // null means something here: validation lets it through (a fresh id then answers 404).
          if (res.status === 400) problems.push(`${route.key} ${field.name}: null is documented as meaningful but refused: ${JSON.stringify(res.body)}`);
          continue;
        }
        const error = res.body.error ?? {};
        if (res.status !== 400 || error.code !== 'invalid_field' || error.param !== field.name) {
          problems.push(`${route.key} ${field.name}: ${res.status} ${JSON.stringify(error)}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(40);
  });

  it('V6 the only meaningful null is maxBudget in PATCH /v1/requests/:id: it removes the budget', async () => {
    const nullable = routes.flatMap((r) => r.fields.filter((f) => f.schema.nullable).map((f) => `${r.key} ${f.name}`));
    expect(nullable).toEqual(['PATCH /v1/requests/{id} maxBudget']);
    const customer = await registerUser(t, 'customer');
    const r = await postRequest(t, customer);
    const res = await t.http.patch(`/v1/requests/${r.id}`).set('authorization', customer.auth).send({ maxBudget: null }).expect(200);
    expect(res.body.maxBudget).toBeNull();
    const posted = await t.http.post('/v1/requests').set('authorization', customer.auth)
      .send({ title: 'Null budget on create', description: 'A budget of null means nothing on create.', category: 'windows', maxBudget: null });
    expect(posted.status).toBe(400);
    expect(posted.body.error).toMatchObject({ code: 'invalid_field', param: 'maxBudget' });
  });

  it('V6 U+0000 (and an unpaired surrogate) in any string field of any body → 400 invalid_field naming it', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const route of routes) {
      for (const field of route.fields) {
        const isString = field.schema.type === 'string';
        if (!isString && field.schema.items?.type !== 'string') continue;
        for (const text of ['before\u0000after', 'half a pair \ud83d']) {
          const res = await send(route.method, route.url, bodyWith(field.path, isString ? text : [text]));
          checked += 1;
          const error = res.body.error ?? {};
          if (res.status !== 400 || error.code !== 'invalid_field' || error.param !== field.name) {
            problems.push(`${route.key} ${field.name} ${JSON.stringify(text)}: ${res.status} ${JSON.stringify(error)}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(50);
  });

  it('V6 U+0000 in a query string → 400 invalid_field naming the parameter (it was a 500 from PostgreSQL)', async () => {
    const customer = await registerUser(t, 'customer');
    for (const [path, query] of [['/v1/requests', 'q'], ['/v1/experts', 'q'], ['/v1/requests', 'category'], ['/v1/requests', 'cursor']] as const) {
      const res = await t.http.get(path).query({ [query]: 'printer\u0000' }).set('authorization', customer.auth);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_field', param: query, requestId: res.headers['x-request-id'] });
    }
  });

  it('V6 the login that answered 500 for an email with U+0000 → 400 invalid_field email', async () => {
    const res = await t.http.post('/v1/auth/login').send({ email: 'a\u0000@example.com', password: 'long enough pass' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_field', param: 'email' });
  });

  it('V6 PATCH {"title": null} → 400 invalid_field title, the request unchanged (it was a 500)', async () => {
    const customer = await registerUser(t, 'customer');
    const r = await postRequest(t, customer);
    for (const field of ['title', 'description', 'urgency', 'biddingClosesAt']) {
      const res = await t.http.patch(`/v1/requests/${r.id}`).set('authorization', customer.auth).send({ [field]: null });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request', code: 'invalid_field', param: field, requestId: res.headers['x-request-id'] });
    }
    const [row] = await t.ds.query(`SELECT title, urgency FROM help_requests WHERE id = $1`, [r.id]);
    expect(row).toEqual({ title: r.title, urgency: r.urgency });
  });
  describe('free text (titles, descriptions, messages, notes, reviews, reasons, profiles)', () => {
    /** Plain strings that are not text people write to each other: secrets, tokens, references, addresses. */
    const NOT_FREE_TEXT = new Set([
      'LoginDto.email', 'LoginDto.password', 'LoginDto.deviceToken', 'RegisterDto.password', 'RefreshTokenDto.refreshToken',
      'CreateRequestDto.category', 'CreateWebhookEndpointDto.url', 'UpdateWebhookEndpointDto.url',
    ]);
    /** Rules that already confine a string to a format (names, slugs, codes, emails, dates, enums). */
    const FORMAT_RULES = ['matches', 'isEmail', 'isIn', 'isIso8601', 'isUrl', 'isUUID', 'isEnum'];
    /** Valid bodies for the DTOs with required fields, so the one field under test is the only fault. */
    const BASES: Record<string, Record<string, unknown>> = {
      CreateRequestDto: validRequest(),
      CreateBidDto: validBid(),
      CreateReviewDto: { rating: 2, resolved: false, comment: 'Still broken after the fix.' },
      ResolveRequestDto: { resolutionNote: 'Replaced the failing driver.' },
      UpsertExpertProfileDto: { headline: 'Fixes printers', bio: 'Twenty years.', skills: ['printers'], languages: ['en'], available: true },
    };
    const freeTextFields = () =>
      routes.flatMap((route) =>
        route.fields
          .filter((f) => constraintsOf(validatedClassesByName().get(f.owner)!, f.path.at(-1)!).includes(FREE_TEXT))
          .map((field) => ({ route, field })),
      );

    it('every plain-text field of every body is @FreeText() (one shared rule), the rest is on a short list or has a format', () => {
      const classes = validatedClassesByName();
      const unmarked: string[] = [];
      for (const route of routes) {
        for (const field of route.fields.filter((f) => f.schema.type === 'string' && !f.schema.enum && !f.schema.format)) {
          const property = field.path.at(-1)!;
          const rules = constraintsOf(classes.get(field.owner)!, property);
          if (rules.includes(FREE_TEXT) || rules.some((r) => FORMAT_RULES.includes(r)) || NOT_FREE_TEXT.has(`${field.owner}.${property}`)) continue;
          unmarked.push(`${route.key} ${field.owner}.${property}`);
        }
      }
      expect(unmarked).toEqual([]);
      const marked = [...new Set(freeTextFields().map(({ field }) => `${field.owner}.${field.name}`))].sort();
      expect(marked).toEqual([
        'CreateBidDto.message', 'CreateMessageDto.body', 'CreateRequestDto.description', 'CreateRequestDto.title',
        'CreateReviewDto.comment', 'ModerateSolutionDto.reason', 'OpenDisputeDto.reason', 'ReopenRequestDto.reason', 'ResolveRequestDto.resolutionNote',
        'ResolveRequestDto.solutionSummary', 'UpdateBidDto.message',
        'UpdateRequestDto.description', 'UpdateRequestDto.title', 'UpsertExpertProfileDto.bio', 'UpsertExpertProfileDto.headline',
      ]);
    });

    it('U+202E (right-to-left override) and U+200B (zero-width space) in any free-text field → 400 invalid_field naming it', async () => {
      const problems: string[] = [];
      for (const { route, field } of freeTextFields()) {
        for (const hidden of ['\u202e', '\u200b']) {
          const body = withField(BASES[route.schemaName] ?? {}, field.path, `Invoice for the repair ${hidden}fdp.exe now`);
          const res = await send(route.method, route.url, body);
          const error = res.body.error ?? {};
          if (res.status !== 400 || error.code !== 'invalid_field' || error.param !== field.name) {
            problems.push(`${route.key} ${field.name} ${JSON.stringify(hidden)}: ${res.status} ${JSON.stringify(error)}`);
          }
        }
      }
      expect(problems).toEqual([]);
    });

    it('free text is stored NFC: a decomposed é (e + U+0301) is stored and answered as U+00E9', async () => {
      const decomposed = 'Cafe\u0301 laptop: the re\u0301sume\u0301 will not print';
      const composed = decomposed.normalize('NFC');
      expect(composed).not.toBe(decomposed);
      const customer = await registerUser(t, 'customer');
      const expert = await registerUser(t, 'expert');
      const r = await postRequest(t, customer, { title: decomposed, description: `${decomposed}, again and again.` });
      expect(r.title).toBe(composed);
      const [row] = await t.ds.query(`SELECT title, description FROM help_requests WHERE id = $1`, [r.id]);
      expect(row).toEqual({ title: composed, description: `${composed}, again and again.` });

      // Length limits count the stored (composed) text: 140 composed characters fit, though 280 were sent.
      const long = 'e\u0301'.repeat(140);
      const patched = await t.http.patch(`/v1/requests/${r.id}`).set('authorization', customer.auth).send({ title: long }).expect(200);
      expect(patched.body.title).toBe('\u00e9'.repeat(140));

      const profile = await createProfile(t, expert, ['windows'], { headline: decomposed, bio: decomposed });
      expect(profile).toMatchObject({ headline: composed, bio: composed });
      const bid = await placeBid(t, expert, r.id, { message: decomposed });
      expect(bid.message).toBe(composed);
      const [bidRow] = await t.ds.query(`SELECT message FROM bids WHERE id = $1`, [bid.id]);
      expect(bidRow.message).toBe(composed);
    });
  });
});
