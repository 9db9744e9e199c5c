import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';

/** Swagger lists every endpoint of API.md built so far, with its body schema and 4xx answers. */
describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: { paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>> };
  beforeAll(async () => {
    t = await startTestApp('pglite');
    doc = (await request(t.app.getHttpServer()).get('/api/docs-json').expect(200)).body;
  });
  afterAll(async () => {
    await t.close();
  });

  const familyCommands = [
    'members',
    'problems',
    'attachment',
    'school-attendance',
    'exclusions',
    'offences',
    'asb-incidents',
    'benefits',
    'employment',
    'domestic-abuse-incidents',
    'health',
    'social-care',
    'consents',
    'overrides',
    'closure',
    'corrections',
  ];

  it.each(['/api/families', ...familyCommands.map((c) => `/api/families/{familyId}/${c}`)])('documents POST %s with its body and its 4xx answers', (path) => {
    const operation = doc.paths[path]?.post;
    expect(operation).toBeDefined();
    expect(operation?.requestBody).toBeDefined();
    expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(['201', '400', '404', '409', '422', '503']));
  });

  it.each([
    ['put', '/api/programme'],
    ['post', '/api/outcome-plans'],
    ['post', '/api/claim-windows'],
  ])('documents %s %s with its body and a 400', (method, path) => {
    const operation = doc.paths[path]?.[method];
    expect(operation?.requestBody).toBeDefined();
    expect(Object.keys(operation?.responses ?? {})).toContain('400');
  });

  it.each(['/api/programme', '/api/outcome-plans', '/api/claim-windows', '/api/families', '/api/families/{familyId}', '/api/families/{familyId}/history', '/health', '/health/ready'])(
    'documents GET %s',
    (path) => {
      expect(doc.paths[path]?.get).toBeDefined();
    },
  );
});
