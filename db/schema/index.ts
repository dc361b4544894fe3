// The whole schema, split by domain. Each feature adds its own file and one line here.
export * from './accounts.ts';
export * from './audit.ts';
export * from './events.ts';
export * from './outbox.ts';
