export * from './constraints';
export * from './fields';
export * from './source.schema';
export * from './correction-changes.schema';
export * from './data.schemas';
export * from './envelope.schema';
export * from './compile';
