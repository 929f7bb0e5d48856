export * from './types';
export * from './params';
export * from './registry';
export * from './read-only';
export * from './window';
