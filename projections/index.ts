/** The pure projections of the relation record; imports `events/` only. */
export * from './append-warnings';
export * from './audit';
export * from './changes';
export * from './corrections';
export * from './event-view';
export * from './hash-chain';
export * from './merge-patch';
export * from './recording';
export * from './snapshots';
export * from './state';
export * from './state.types';
export * from './subject';
export * from './tension-index';
export * from './timeline';
export * from './warnings';
