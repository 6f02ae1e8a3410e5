/** The public surface of the event vocabulary: types, schemas, parsing, dates, countries, upcasting. */
export * from './catalogue';
export * from './dates';
export * from './countries';
export * from './validation';
export * from './schemas';
export * from './parse-event';
export * from './upcasters';
export * from './event-examples';
export type * from './legacy/v0';
