// The whole schema, split by domain. Each feature adds its own file and one line here.
export * from './accounts.ts';
export * from './after-event.ts';
export * from './audit.ts';
export * from './bursaries.ts';
export * from './calendar.ts';
export * from './directory.ts';
export * from './events.ts';
export * from './list-import.ts';
export * from './mail-budget.ts';
export * from './network.ts';
export * from './outbox.ts';
export * from './planning.ts';
export * from './proposals.ts';
export * from './registration.ts';
export * from './invoices.ts';
export * from './invitations.ts';
export * from './library.ts';
