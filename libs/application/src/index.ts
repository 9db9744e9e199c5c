// The application layer: what the api, the cli and the projector share above the domain and the
// stores (command handlers, the services of users, claims reports, privacy), so no app imports
// another (see .dependency-cruiser.cjs "no-app-imports-another-app").
export * from './actor';
export * from './api-error';
export * from './recording';
export * from './auth/auth.service';
export * from './programme/programme-commands';
export * from './claims/claim-commands';
export * from './claims/claim-reports.service';
export * from './claims/finance-reports.service';
export * from './privacy/access-log';
export * from './privacy/privacy-records';
export * from './privacy/retention';
export * from './privacy/privacy-config';
export * from './privacy/legal-gateways';
